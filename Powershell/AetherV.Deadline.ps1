# The request's deadlineSeconds (dot-sourced by AetherV.Agent.ps1): checks between steps and
# bounded waits for conditions and cmdlet jobs; DEADLINE_EXCEEDED when time is up.

function New-AgentDeadline {
    param([double] $Seconds)
    return [pscustomobject]@{ Seconds = $Seconds; Stopwatch = [System.Diagnostics.Stopwatch]::StartNew() }
}

function Get-AgentRemainingSeconds {
    param([Parameter(Mandatory = $true)] [object] $Context)
    $deadline = $Context.Deadline
    return [math]::Max(0.0, $deadline.Seconds - $deadline.Stopwatch.Elapsed.TotalSeconds)
}

function Assert-AgentDeadline {
    # Called between steps: DEADLINE_EXCEEDED once the request's deadlineSeconds have passed.
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [string] $Step = 'the operation'
    )
    if ((Get-AgentRemainingSeconds -Context $Context) -le 0) {
        throw (New-AgentError -Code 'DEADLINE_EXCEEDED' -Message "Deadline of $($Context.Deadline.Seconds) s exceeded before $Step.")
    }
}

function Wait-AgentCondition {
    # Polls $Condition until it returns $true, bounded by both $TimeoutSeconds and the deadline.
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [Parameter(Mandatory = $true)] [scriptblock] $Condition,
        [Parameter(Mandatory = $true)] [string] $Description,
        [double] $TimeoutSeconds = 60,
        [int] $IntervalMilliseconds = 500
    )
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        if (& $Condition) {
            return
        }
        if ((Get-AgentRemainingSeconds -Context $Context) -le 0) {
            throw (New-AgentError -Code 'DEADLINE_EXCEEDED' -Message "Deadline exceeded while waiting for $Description.")
        }
        if ($stopwatch.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            throw (New-AgentError -Code 'DEADLINE_EXCEEDED' -Message "Gave up after $TimeoutSeconds s waiting for $Description.")
        }
        $sleep = [math]::Min([double]$IntervalMilliseconds, (Get-AgentRemainingSeconds -Context $Context) * 1000)
        Start-Sleep -Milliseconds ([int][math]::Max(10, $sleep))
    }
}

function Wait-AgentJob {
    # Waits for a cmdlet started with -AsJob within the deadline, then returns its output or
    # rethrows its error. On the deadline the job is left running (Hyper-V finishes the
    # transition on its own) and DEADLINE_EXCEEDED is raised.
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [Parameter(Mandatory = $true)] [System.Management.Automation.Job] $Job,
        [Parameter(Mandatory = $true)] [string] $Description
    )
    while ($true) {
        $remaining = Get-AgentRemainingSeconds -Context $Context
        $finished = Wait-Job -Job $Job -Timeout ([int][math]::Ceiling([math]::Min(5.0, [math]::Max(1.0, $remaining))))
        if ($null -ne $finished) {
            break
        }
        if ((Get-AgentRemainingSeconds -Context $Context) -le 0) {
            throw (New-AgentError -Code 'DEADLINE_EXCEEDED' -Message "Deadline exceeded while $Description.")
        }
    }
    try {
        return (Receive-Job -Job $Job -ErrorAction Stop)
    } finally {
        Remove-Job -Job $Job -Force -ErrorAction SilentlyContinue
    }
}
