# Dot-source this to give the guest agent's functions the script state AetherV.Guest.ps1 sets at
# its top: its own top-level $script: assignments, read from its parse tree so that a new state
# variable or initial value reaches the tests by itself, except the paths into the agent's folder
# ($PSScriptRoot): progress.json and domainjoin.secret are in $Folder instead (each caller adds
# the others it reads). Also the parameters every test run shares: 1 s polls, no restart; each
# caller sets the timeouts its path reads. Dot-sourced, so $script: is the caller's script scope.
param(
    [Parameter(Mandatory = $true)][string]$Folder
)
$guestStateAst = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path -Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) -ChildPath 'AetherV.Guest.ps1'), [ref]$null, [ref]$null)
foreach ($guestAssignment in @($guestStateAst.EndBlock.Statements | Where-Object {
            $_ -is [System.Management.Automation.Language.AssignmentStatementAst] -and $_.Left.Extent.Text -like '$script:*' -and $_.Right.Extent.Text -notmatch '\$PSScriptRoot'
        })) {
    . ([scriptblock]::Create($guestAssignment.Extent.Text))
}
$PollSeconds = 1
$NoRestart = $true
$script:ProgressPath = Join-Path -Path $Folder -ChildPath 'progress.json'
$script:SecretPath = Join-Path -Path $Folder -ChildPath 'domainjoin.secret'
