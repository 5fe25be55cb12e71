# The guest agent's log: one UTF-8 line per event in a file under the agent's folder (readable
# by SYSTEM and Administrators only). Never pass secrets here: no passwords, keys, plaintext
# configuration or exception text that could quote them.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:LogPath = $null

function Initialize-AgentLog {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    $script:LogPath = $Path
}

function Write-AgentLog {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Message,
        [ValidateSet('info', 'warn', 'error')][string]$Level = 'info'
    )
    $line = '{0} {1} {2}{3}' -f [DateTime]::UtcNow.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture), $Level, $Message, [Environment]::NewLine
    if ($null -eq $script:LogPath) {
        return
    }
    try {
        [System.IO.File]::AppendAllText($script:LogPath, $line, [System.Text.UTF8Encoding]::new($false))
    }
    catch {
        # A full disk or a locked file must not turn a successful provisioning into a failure.
        return
    }
}

Export-ModuleMember -Function @('Initialize-AgentLog', 'Write-AgentLog')
