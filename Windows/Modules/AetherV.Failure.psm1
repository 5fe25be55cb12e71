# Failures carry the guest error summary of aetherv.kvp/1 (DESIGN section 5): 'error <stage>:<detail>',
# at most 200 characters, from a fixed vocabulary, so the orchestrator can act on it. The code
# travels in the exception's Data; the message is for the local log only and never holds secrets.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:CodeKey = 'AetherV.GuestErrorCode'
$script:CodePattern = '^(error [a-z-]+:[^\r\n]*|error:unknown)$'

function New-GuestFailure {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^(error [a-z-]+:[^\r\n]*|error:unknown)$')][string]$Code,
        [Parameter(Mandatory = $true)][string]$Message,
        [System.Exception]$InnerException = $null
    )
    $exception = [System.InvalidOperationException]::new($Message, $InnerException)
    $exception.Data[$script:CodeKey] = $Code
    return $exception
}

# The code of the innermost failure that has one; $Default when none has (an unexpected error
# inside a stage is reported as that stage's failure).
function Get-GuestFailureCode {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Exception]$Exception,
        [Parameter(Mandatory = $true)][string]$Default
    )
    $current = $Exception
    while ($null -ne $current) {
        if ($current.Data.Contains($script:CodeKey)) {
            return [string]$current.Data[$script:CodeKey]
        }
        $current = $current.InnerException
    }
    return $Default
}

function Test-GuestFailure {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Exception]$Exception
    )
    $current = $Exception
    while ($null -ne $current) {
        if ($current.Data.Contains($script:CodeKey)) {
            return $true
        }
        $current = $current.InnerException
    }
    return $false
}

# What the log may say about an exception: its type, and its message unless the stage handles
# secrets (JSON parser and crypto messages can quote their input).
function Format-SafeError {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Exception]$Exception,
        [switch]$TypeOnly
    )
    if ($TypeOnly -and -not (Test-GuestFailure -Exception $Exception)) {
        return $Exception.GetType().FullName
    }
    $message = $Exception.Message -replace '[\r\n]+', ' '
    return '{0}: {1}' -f $Exception.GetType().FullName, $message
}

function Limit-GuestErrorText {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Code
    )
    $text = $Code -replace '[\x00-\x1f\x7f]', ''
    if ($text -notmatch $script:CodePattern) {
        $text = 'error:unknown'
    }
    if ($text.Length -gt 200) {
        $text = $text.Substring(0, 200)
    }
    return $text
}

Export-ModuleMember -Function @('New-GuestFailure', 'Get-GuestFailureCode', 'Test-GuestFailure', 'Format-SafeError', 'Limit-GuestErrorText')
