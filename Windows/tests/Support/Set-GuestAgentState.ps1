# Dot-source this to give the guest agent's functions the script state AetherV.Guest.ps1 sets at
# its top (the same variables and initial values), with its files in $Folder instead of the
# agent's own folder, and the parameters every test run shares: 1 s polls, no restart. Each
# caller sets the timeouts its path reads. Dot-sourced, so $script: is the caller's script scope.
param(
    [Parameter(Mandatory = $true)][string]$Folder
)
$PollSeconds = 1
$NoRestart = $true
$script:ProgressPath = Join-Path -Path $Folder -ChildPath 'progress.json'
$script:SecretPath = Join-Path -Path $Folder -ChildPath 'domainjoin.secret'
$script:StageCode = 'error initializing:service'
$script:Rsa = $null
$script:RestartRequired = $false
$script:InterfaceIndex = $null
$script:AdapterMac = $null
