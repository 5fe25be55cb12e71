# The scheduled task that runs the guest agent: at every startup, as SYSTEM (by SID, whose name
# is localised), one instance at a time. A plain scheduled task needs no extra binary, unlike a
# Windows service wrapper. The agent unregisters it when provisioning is over.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:TaskName = 'AetherV.Guest'
$script:TaskPath = '\Aether-V\'
$script:SystemSid = 'S-1-5-18'

function Register-GuestAgentTask {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$ScriptPath
    )
    $powershell = Join-Path -Path $env:SystemRoot -ChildPath 'System32\WindowsPowerShell\v1.0\powershell.exe'
    $argumentLine = '-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{0}"' -f $ScriptPath
    $action = New-ScheduledTaskAction -Execute $powershell -Argument $argumentLine -WorkingDirectory (Split-Path -Path $ScriptPath -Parent)
    $trigger = New-ScheduledTaskTrigger -AtStartup
    $principal = New-ScheduledTaskPrincipal -UserId $script:SystemSid -LogonType ServiceAccount -RunLevel Highest
    # The agent's own deadlines add up to well under the execution limit.
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable -MultipleInstances IgnoreNew -ExecutionTimeLimit (New-TimeSpan -Hours 8) -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1)
    $null = Register-ScheduledTask -TaskName $script:TaskName -TaskPath $script:TaskPath -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Description 'Aether-V guest provisioning (aetherv.kvp/1)' -Force -ErrorAction Stop
}

function Start-GuestAgentTask {
    [CmdletBinding()]
    param()
    Start-ScheduledTask -TaskName $script:TaskName -TaskPath $script:TaskPath -ErrorAction Stop
}

function Unregister-GuestAgentTask {
    [CmdletBinding()]
    param()
    try {
        $null = Get-ScheduledTask -TaskName $script:TaskName -TaskPath $script:TaskPath -ErrorAction Stop
    }
    catch {
        if ($_.CategoryInfo.Category -eq [System.Management.Automation.ErrorCategory]::ObjectNotFound) {
            return
        }
        throw
    }
    Unregister-ScheduledTask -TaskName $script:TaskName -TaskPath $script:TaskPath -Confirm:$false -ErrorAction Stop
}

Export-ModuleMember -Function @('Register-GuestAgentTask', 'Start-GuestAgentTask', 'Unregister-GuestAgentTask')
