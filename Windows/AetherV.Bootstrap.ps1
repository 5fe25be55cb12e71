<#
.SYNOPSIS
    Installs the Aether-V guest agent from the provisioning ISO and registers its scheduled task.
.DESCRIPTION
    Started by unattend.xml in the specialize pass (as SYSTEM), from the volume labelled
    WINPROVISIONING, whatever its drive letter. It copies the agent, its modules and the ISO's
    version file to C:\ProgramData\Aether-V\Guest (readable by SYSTEM and Administrators only),
    because the orchestrator detaches the ISO once the guest reports, and registers the task
    that runs the agent at every startup until provisioning is over.

    In the specialize pass the agent is not started: Windows restarts right after that pass and
    the task's startup trigger runs it on the next boot, where it cannot be cut off mid-handshake
    by Setup. Run outside Setup (by hand, or with -RegisterOnly from SetupComplete.cmd) it starts
    the task at once.
#>
[CmdletBinding()]
param(
    [ValidatePattern('^[A-Z0-9_]{1,32}$')][string]$VolumeLabel = 'WINPROVISIONING',
    # Re-register and start the task from an already installed copy (the SetupComplete.cmd
    # fallback used when the Task Scheduler was not available during the specialize pass).
    [switch]$RegisterOnly,
    # Issue 16: from SetupComplete.cmd, after OOBE: replace the built-in Administrator's
    # throw-away password (unattend.xml) with a random one that is never stored.
    [switch]$ResetAdministratorPassword
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$installRoot = Join-Path -Path $env:ProgramData -ChildPath 'Aether-V\Guest'
$agentFiles = @('AetherV.Guest.ps1', 'AetherV.Bootstrap.ps1', 'version')

Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Modules\AetherV.Log.psm1') -Force -ErrorAction Stop
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Modules\AetherV.Task.psm1') -Force -ErrorAction Stop

# The root of the volume labelled $VolumeLabel. Win32_Volume first; System.IO.DriveInfo when
# WMI is not answering yet (early in the specialize pass). Several candidates: the one this
# script runs from wins, otherwise the first by drive letter.
function Find-ProvisioningVolume {
    param(
        [Parameter(Mandatory = $true)][string]$Label
    )
    $roots = @()
    try {
        $volumes = @(Get-CimInstance -ClassName Win32_Volume -Filter ("Label = '{0}'" -f $Label) -ErrorAction Stop)
        $roots = @($volumes | Where-Object { -not [string]::IsNullOrEmpty($_.DriveLetter) } | ForEach-Object { '{0}\' -f $_.DriveLetter })
    }
    catch {
        $roots = @()
    }
    if ($roots.Count -eq 0) {
        $roots = @([System.IO.DriveInfo]::GetDrives() | Where-Object { $_.IsReady -and $_.VolumeLabel -eq $Label } | ForEach-Object { $_.RootDirectory.FullName })
    }
    $roots = @($roots | Sort-Object)
    if ($roots.Count -eq 0) {
        throw [System.IO.DriveNotFoundException]::new(('no volume is labelled {0}' -f $Label))
    }
    $ownRoot = [System.IO.Path]::GetPathRoot($PSScriptRoot)
    foreach ($root in $roots) {
        if ([string]::Equals($root, $ownRoot, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $root
        }
    }
    return $roots[0]
}

# SYSTEM and Administrators only, inheritance from ProgramData cut: the folder will hold the
# agent's log, its progress and, between two domain-join attempts, a DPAPI-protected secret.
function Protect-InstallFolder {
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    $security = [System.Security.AccessControl.DirectorySecurity]::new()
    $security.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = [System.Security.Principal.SecurityIdentifier]::new($sid)
        $rule = [System.Security.AccessControl.FileSystemAccessRule]::new(
            $identity,
            [System.Security.AccessControl.FileSystemRights]::FullControl,
            [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit',
            [System.Security.AccessControl.PropagationFlags]::None,
            [System.Security.AccessControl.AccessControlType]::Allow)
        $security.AddAccessRule($rule)
    }
    # DirectoryInfo.SetAccessControl writes only the DACL that was changed here, not the owner.
    ([System.IO.DirectoryInfo]::new($Path)).SetAccessControl($security)
}

function Install-GuestAgent {
    param(
        [Parameter(Mandatory = $true)][string]$SourceRoot
    )
    foreach ($name in $agentFiles) {
        if (-not [System.IO.File]::Exists((Join-Path -Path $SourceRoot -ChildPath $name))) {
            throw [System.IO.FileNotFoundException]::new(('{0} is missing from the provisioning volume' -f $name))
        }
    }
    $sourceModules = Join-Path -Path $SourceRoot -ChildPath 'Modules'
    # A folder left by an earlier install (or captured in the golden image) is emptied, so no
    # old progress, log or secret can be taken for this VM's.
    if ([System.IO.Directory]::Exists($installRoot)) {
        Remove-Item -LiteralPath $installRoot -Recurse -Force -ErrorAction Stop
    }
    $null = New-Item -ItemType Directory -Path $installRoot -Force -ErrorAction Stop
    Protect-InstallFolder -Path $installRoot
    foreach ($name in $agentFiles) {
        Copy-Item -LiteralPath (Join-Path -Path $SourceRoot -ChildPath $name) -Destination (Join-Path -Path $installRoot -ChildPath $name) -Force -ErrorAction Stop
    }
    $targetModules = Join-Path -Path $installRoot -ChildPath 'Modules'
    $null = New-Item -ItemType Directory -Path $targetModules -Force -ErrorAction Stop
    foreach ($module in @(Get-ChildItem -LiteralPath $sourceModules -Filter '*.psm1' -File -ErrorAction Stop)) {
        Copy-Item -LiteralPath $module.FullName -Destination (Join-Path -Path $targetModules -ChildPath $module.Name) -Force -ErrorAction Stop
    }
    # ISO 9660 files come read-only; the agent's folder must stay deletable.
    foreach ($file in @(Get-ChildItem -LiteralPath $installRoot -Recurse -File -ErrorAction Stop)) {
        $file.IsReadOnly = $false
    }
}

function Test-WindowsSetupInProgress {
    $setup = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\Setup' -ErrorAction Stop
    $flag = $setup.PSObject.Properties['SystemSetupInProgress']
    return ($null -ne $flag -and [int]$flag.Value -eq 1)
}

# When the Task Scheduler cannot take the task during the specialize pass, Windows runs
# SetupComplete.cmd as SYSTEM at the end of Setup: one line there registers and starts it.
# Appended, never overwriting what the image's own SetupComplete.cmd does.
function Add-SetupCompleteFallback {
    param([ValidateSet('-RegisterOnly', '-ResetAdministratorPassword')][string]$Switch = '-RegisterOnly')
    $scripts = Join-Path -Path $env:SystemRoot -ChildPath 'Setup\Scripts'
    $null = New-Item -ItemType Directory -Path $scripts -Force -ErrorAction Stop
    $setupComplete = Join-Path -Path $scripts -ChildPath 'SetupComplete.cmd'
    $powershell = Join-Path -Path $env:SystemRoot -ChildPath 'System32\WindowsPowerShell\v1.0\powershell.exe'
    $bootstrap = Join-Path -Path $installRoot -ChildPath 'AetherV.Bootstrap.ps1'
    $line = '"{0}" -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{1}" {2}' -f $powershell, $bootstrap, $Switch
    [System.IO.File]::AppendAllText($setupComplete, ('{0}{1}{0}' -f "`r`n", $line), [System.Text.Encoding]::ASCII)
}

# Until the install folder exists, the log goes to Windows' own temporary folder (SYSTEM and
# Administrators only), where a failed specialize pass can still be diagnosed.
Initialize-AgentLog -Path (Join-Path -Path $env:SystemRoot -ChildPath 'Temp\AetherV.Bootstrap.log')
$exitCode = 0
try {
    if ($ResetAdministratorPassword) {
        Initialize-AgentLog -Path (Join-Path -Path $installRoot -ChildPath 'bootstrap.log')
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'Modules\AetherV.BuiltinAdmin.psm1') -Force -ErrorAction Stop
        $account = Reset-GuestBuiltinAdministratorPassword
        Write-AgentLog -Message ('the throw-away OOBE credential of {0} was replaced with a random one' -f $account)
    }
    elseif ($RegisterOnly) {
        Initialize-AgentLog -Path (Join-Path -Path $installRoot -ChildPath 'bootstrap.log')
        Register-GuestAgentTask -ScriptPath (Join-Path -Path $installRoot -ChildPath 'AetherV.Guest.ps1')
        Start-GuestAgentTask
        Write-AgentLog -Message 'task registered and started from SetupComplete.cmd'
    }
    else {
        $sourceRoot = Find-ProvisioningVolume -Label $VolumeLabel
        Install-GuestAgent -SourceRoot $sourceRoot
        Initialize-AgentLog -Path (Join-Path -Path $installRoot -ChildPath 'bootstrap.log')
        Write-AgentLog -Message ('agent installed from {0}' -f $sourceRoot)
        # First line of our SetupComplete.cmd entries: OOBE set the throw-away password just before.
        Add-SetupCompleteFallback -Switch '-ResetAdministratorPassword'
        $registered = $false
        try {
            Register-GuestAgentTask -ScriptPath (Join-Path -Path $installRoot -ChildPath 'AetherV.Guest.ps1')
            $registered = $true
            Write-AgentLog -Message 'task registered'
        }
        catch {
            Write-AgentLog -Level 'warn' -Message ('cannot register the task now ({0}); deferring to SetupComplete.cmd' -f $_.Exception.Message)
            Add-SetupCompleteFallback
        }
        if ($registered) {
            if (Test-WindowsSetupInProgress) {
                Write-AgentLog -Message 'Windows Setup in progress: the agent starts at the next boot'
            }
            else {
                Start-GuestAgentTask
                Write-AgentLog -Message 'task started'
            }
        }
    }
}
catch {
    Write-AgentLog -Level 'error' -Message ('bootstrap failed: {0}: {1}' -f $_.Exception.GetType().FullName, $_.Exception.Message)
    # Setup goes on either way; the orchestrator's handshake deadline reports the VM as failed.
    $exitCode = 1
}
exit $exitCode
