<#
.SYNOPSIS
    Aether-V guest provisioning agent for Windows: the guest side of aetherv.kvp/1 (DESIGN section 5).
.DESCRIPTION
    Run at startup as SYSTEM by the scheduled task the bootstrapper registers, from
    C:\ProgramData\Aether-V\Guest. It checks the host's version against the one that came on its
    ISO, publishes an RSA-3072 public key, receives the encrypted guest configuration, verifies its
    MAC before decrypting it, applies it (hostname, local administrator, IPv4/DNS, domain join),
    reports 'applied' or 'failed' with an error summary, and leaves no key or plaintext behind.
    The configuration lives only in this process's memory; the one exception is a domain-join
    password kept DPAPI-protected across the restart that retries a failed join.
    Every wait is bounded; the defaults below are the agent's deadlines.
#>
[CmdletBinding()]
param(
    # How often KVP items, adapters and domain controllers are polled.
    [ValidateRange(1, 300)][int]$PollSeconds = 5,
    # Deadline for the host to write aetherv.version and then aetherv.host.state=awaiting-key.
    [ValidateRange(10, 86400)][int]$HostTimeoutSeconds = 3600,
    # Deadline for aetherv.host.state=payload-published once the public key is published.
    [ValidateRange(10, 86400)][int]$PayloadTimeoutSeconds = 1800,
    # Deadline for every payload chunk to be readable once the payload is announced.
    [ValidateRange(1, 3600)][int]$ChunkTimeoutSeconds = 60,
    # Deadline for the network adapter to come up.
    [ValidateRange(0, 3600)][int]$AdapterTimeoutSeconds = 300,
    # Deadline for a usable IPv4 address to appear (DHCP, duplicate address detection).
    [ValidateRange(0, 3600)][int]$AddressTimeoutSeconds = 300,
    # Deadline for DNS to locate a domain controller before each join attempt.
    [ValidateRange(0, 7200)][int]$DomainControllerTimeoutSeconds = 900,
    # Join attempts in total; each one after the first follows a restart.
    [ValidateRange(1, 5)][int]$DomainJoinAttempts = 2,
    # Delay between the final report and the restart a rename or join needs.
    [ValidateRange(0, 600)][int]$RestartDelaySeconds = 15,
    # Never restart (for a supervised run); a pending rename or join then waits for the next restart.
    [switch]$NoRestart
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

try {
    foreach ($moduleName in @('AetherV.Log', 'AetherV.Failure', 'AetherV.Kvp', 'AetherV.Crypto', 'AetherV.Config', 'AetherV.Progress', 'AetherV.Task', 'AetherV.Hostname', 'AetherV.LocalAdmin', 'AetherV.Network', 'AetherV.DomainJoin')) {
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath ('Modules\{0}.psm1' -f $moduleName)) -Force -ErrorAction Stop
    }
}
catch {
    # Without its modules the agent cannot even report through KVP; the task's last result
    # (exit code 1) is the only trace.
    exit 1
}

$script:ProgressPath = Join-Path -Path $PSScriptRoot -ChildPath 'progress.json'
$script:SecretPath = Join-Path -Path $PSScriptRoot -ChildPath 'domainjoin.secret'
$script:VersionPath = Join-Path -Path $PSScriptRoot -ChildPath 'version'
$script:LogPath = Join-Path -Path $PSScriptRoot -ChildPath 'agent.log'

# The failure reported when something unexpected breaks the current step; explicit failures
# (New-GuestFailure) carry their own, more precise code.
$script:StageCode = 'error initializing:service'
$script:Rsa = $null
$script:RestartRequired = $false
$script:InterfaceIndex = $null
$script:AdapterMac = $null

function Set-Stage {
    param(
        [Parameter(Mandatory = $true)][ValidatePattern('^error [a-z-]+:[a-z0-9-]+$')][string]$Code
    )
    $script:StageCode = $Code
}

function Read-LocalVersion {
    $text = [System.IO.File]::ReadAllText($script:VersionPath)
    $version = $text.Trim([char[]]@([char]0, [char]0xFEFF, [char]' ', [char]"`t", [char]"`r", [char]"`n"))
    if ($version.Length -eq 0) {
        throw (New-GuestFailure -Code 'error reading:version-file' -Message 'the version file is empty')
    }
    return $version
}

# At most 80 characters each, control characters replaced, so the summary fits its 200.
function Format-VersionForError {
    param(
        [Parameter(Mandatory = $true)][string]$Version
    )
    $shown = $Version -replace '[\x00-\x1f\x7f]', '?'
    if ($shown.Length -gt 80) {
        $shown = $shown.Substring(0, 80)
    }
    return $shown
}

function Get-RemainingSeconds {
    param(
        [Parameter(Mandatory = $true)][System.Diagnostics.Stopwatch]$Clock,
        [Parameter(Mandatory = $true)][int]$TimeoutSeconds
    )
    return [int][Math]::Max(1, $TimeoutSeconds - [Math]::Floor($Clock.Elapsed.TotalSeconds))
}

function Close-GuestKey {
    if ($null -ne $script:Rsa) {
        $script:Rsa.Dispose()
        $script:Rsa = $null
    }
}

# Version check, key exchange and decryption; returns the parsed configuration.
function Receive-GuestConfiguration {
    Set-Stage -Code 'error reading:version-file'
    $guestVersion = Read-LocalVersion
    Set-Stage -Code 'error initializing:kvp'
    Clear-KvpGuestItems
    Set-KvpGuestVersion -Version $guestVersion
    Write-AgentLog -Message ('guest version {0}; waiting for the host' -f $guestVersion)

    Set-Stage -Code 'error reading:kvp'
    $hostClock = [System.Diagnostics.Stopwatch]::StartNew()
    $hostVersion = Get-KvpHostVersion -TimeoutSeconds $HostTimeoutSeconds -PollSeconds $PollSeconds
    if ($null -eq $hostVersion) {
        throw (New-GuestFailure -Code 'error timeout:version' -Message 'the host never wrote aetherv.version')
    }
    if ($hostVersion -cne $guestVersion) {
        $shownHost = Format-VersionForError -Version $hostVersion
        $shownGuest = Format-VersionForError -Version $guestVersion
        throw (New-GuestFailure -Code ('error version-mismatch:{0}!={1}' -f $shownGuest, $shownHost) -Message 'the ISO and the host scripts come from different releases')
    }

    $remaining = Get-RemainingSeconds -Clock $hostClock -TimeoutSeconds $HostTimeoutSeconds
    if (-not (Wait-KvpHostState -State 'awaiting-key' -TimeoutSeconds $remaining -PollSeconds $PollSeconds)) {
        throw (New-GuestFailure -Code 'error timeout:awaiting-key' -Message 'the host never asked for a key')
    }

    Set-Stage -Code 'error generating:rsa-key'
    $script:Rsa = New-GuestKeyPair
    $jwk = ConvertTo-PublicJwk -Rsa $script:Rsa

    # From here on the host may encrypt to this key, which a restart would lose: a run found in
    # this phase at startup starts over only if the host has not published a payload yet.
    Set-Stage -Code 'error publishing:pubkey'
    Write-AgentProgress -Path $script:ProgressPath -Phase 'handshake'
    Set-KvpGuestPublicKey -Jwk $jwk
    Set-Stage -Code 'error publishing:state'
    Set-KvpGuestState -State 'awaiting-payload'
    Write-AgentLog -Message 'public key published; waiting for the payload'

    Set-Stage -Code 'error reading:kvp'
    if (-not (Wait-KvpHostState -State 'payload-published' -TimeoutSeconds $PayloadTimeoutSeconds -PollSeconds $PollSeconds)) {
        throw (New-GuestFailure -Code 'error timeout:payload-published' -Message 'the host never published the payload')
    }

    Set-Stage -Code 'error reading:payload'
    $payload = Get-KvpPayload -TimeoutSeconds $ChunkTimeoutSeconds -PollSeconds $PollSeconds
    if ($payload.Problem -eq 'count') {
        throw (New-GuestFailure -Code 'error reading:payload-count' -Message 'the payload chunk count is missing or out of range')
    }
    if ($null -ne $payload.Problem) {
        throw (New-GuestFailure -Code 'error reading:payload' -Message 'a payload chunk is missing')
    }
    $wrappedKey = Get-KvpWrappedKey
    if ([string]::IsNullOrEmpty($wrappedKey)) {
        throw (New-GuestFailure -Code 'error reading:payload' -Message 'the wrapped key is missing')
    }

    Set-Stage -Code 'error decrypting:payload'
    $plaintext = Unprotect-GuestPayload -Rsa $script:Rsa -WrappedKeyText $wrappedKey -PayloadText $payload.Text
    Close-GuestKey
    Set-Stage -Code 'error validating:config'
    try {
        $config = ConvertFrom-GuestConfigJson -JsonBytes $plaintext
    }
    finally {
        Clear-Bytes -Bytes $plaintext
    }
    Write-AgentLog -Message 'payload verified and decrypted'
    return $config
}

# One domain-join attempt. $true when the computer is (now) a member; $false when a retry after
# a restart has been arranged; a failure when no attempt is left.
function Invoke-DomainJoinAttempt {
    param(
        [Parameter(Mandatory = $true)]$Join,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$NewName,
        [Parameter(Mandatory = $true)][int]$Attempt
    )
    $credential = New-DomainJoinCredential -Domain $Join.Domain -UserName $Join.UserName -Password $Join.Password
    if (Test-GuestDomainMember -Domain $Join.Domain) {
        Write-AgentLog -Message ('already a member of {0}' -f $Join.Domain)
        if ($NewName.Length -gt 0 -and (Set-GuestHostname -Name $NewName -DomainCredential $credential)) {
            $script:RestartRequired = $true
        }
        return $true
    }
    try {
        if (-not (Wait-DomainController -Domain $Join.Domain -TimeoutSeconds $DomainControllerTimeoutSeconds -PollSeconds $PollSeconds)) {
            throw [System.TimeoutException]::new('DNS located no domain controller of the domain')
        }
        Join-GuestDomain -Domain $Join.Domain -Credential $credential -OUPath ([string]$Join.OUPath) -NewName $NewName
        $script:RestartRequired = $true
        Write-AgentLog -Message ('joined {0} (attempt {1})' -f $Join.Domain, $Attempt)
        return $true
    }
    catch {
        Write-AgentLog -Level 'warn' -Message ('domain join attempt {0} failed: {1}' -f $Attempt, (Format-SafeError -Exception $_.Exception))
        if ($Attempt -ge $DomainJoinAttempts) {
            throw (New-GuestFailure -Code 'error applying:domain-join' -Message 'the domain join failed on every attempt' -InnerException $_.Exception)
        }
    }
    # Retry after a restart: rename now (locally) so that the retry joins under the final name,
    # and keep the password only DPAPI-protected until then.
    if ($NewName.Length -gt 0) {
        Set-Stage -Code 'error applying:hostname'
        $null = Set-GuestHostname -Name $NewName
        Set-Stage -Code 'error applying:domain-join'
    }
    Protect-DomainJoinPassword -Password $Join.Password -Path $script:SecretPath
    Write-AgentProgress -Path $script:ProgressPath -Phase 'domainjoin-retry' -Data @{
        attempt  = $Attempt
        domain   = $Join.Domain
        username = $Join.UserName
        ouPath   = [string]$Join.OUPath
    }
    Write-AgentLog -Message 'domain join will be retried after a restart'
    return $false
}

# Applies the configuration in the order hostname, local administrator, network, domain join.
# $true when done; $false when a restart must come first (domain-join retry).
function Invoke-GuestConfiguration {
    param(
        [Parameter(Mandatory = $true)]$Config
    )
    $newName = ''
    if ($null -ne $Config.Hostname) {
        Set-Stage -Code 'error applying:hostname'
        if (Test-GuestHostnameChange -Name $Config.Hostname) {
            $newName = $Config.Hostname
        }
        # With a domain join, the join renames (Add-Computer -NewName).
        if ($newName.Length -gt 0 -and $null -eq $Config.DomainJoin) {
            $null = Set-GuestHostname -Name $newName
            $script:RestartRequired = $true
            Write-AgentLog -Message ('renamed to {0} (effective after restart)' -f $newName)
        }
    }

    if ($null -ne $Config.LocalAdmin) {
        Set-Stage -Code 'error applying:local-admin'
        Set-GuestLocalAdministrator -UserName $Config.LocalAdmin.UserName -Password $Config.LocalAdmin.Password
        Write-AgentLog -Message 'local administrator configured'
    }

    if ($null -ne $Config.IPv4 -or $null -ne $Config.Dns) {
        Set-Stage -Code 'error applying:network'
        $script:AdapterMac = $Config.MacAddress
        $adapter = Get-GuestPrimaryAdapter -TimeoutSeconds $AdapterTimeoutSeconds -PollSeconds $PollSeconds -MacAddress $script:AdapterMac
        $script:InterfaceIndex = [int]$adapter.InterfaceIndex
        if ($null -ne $Config.IPv4) {
            Set-GuestStaticIPv4 -InterfaceIndex $script:InterfaceIndex -Address $Config.IPv4.Address -PrefixLength $Config.IPv4.PrefixLength -Gateway $Config.IPv4.Gateway
            Write-AgentLog -Message ('static IPv4 {0}/{1} on interface {2}' -f $Config.IPv4.Address, $Config.IPv4.PrefixLength, $script:InterfaceIndex)
        }
        else {
            Set-GuestDhcpIPv4 -InterfaceIndex $script:InterfaceIndex
            Write-AgentLog -Message ('DHCP on interface {0}' -f $script:InterfaceIndex)
        }
        if ($null -ne $Config.Dns) {
            Set-GuestDns -InterfaceIndex $script:InterfaceIndex -Servers $Config.Dns.Servers -SearchSuffix $Config.Dns.SearchSuffix -Dhcp:($null -eq $Config.IPv4)
            Write-AgentLog -Message 'DNS configured'
        }
    }

    if ($null -ne $Config.DomainJoin) {
        Set-Stage -Code 'error applying:domain-join'
        return (Invoke-DomainJoinAttempt -Join $Config.DomainJoin -NewName $newName -Attempt 1)
    }
    return $true
}

function Close-GuestConfiguration {
    param(
        [AllowNull()]$Config
    )
    if ($null -eq $Config) {
        return
    }
    if ($null -ne $Config.LocalAdmin) {
        $Config.LocalAdmin.Password.Dispose()
    }
    if ($null -ne $Config.DomainJoin) {
        $Config.DomainJoin.Password.Dispose()
    }
}

function Publish-GuestAddress {
    try {
        if ($null -eq $script:InterfaceIndex) {
            $adapter = Get-GuestPrimaryAdapter -TimeoutSeconds $AdapterTimeoutSeconds -PollSeconds $PollSeconds -MacAddress $script:AdapterMac
            $script:InterfaceIndex = [int]$adapter.InterfaceIndex
        }
        $address = Get-GuestIPv4Address -InterfaceIndex $script:InterfaceIndex -TimeoutSeconds $AddressTimeoutSeconds -PollSeconds $PollSeconds
    }
    catch {
        # No adapter at all is a VM without a network: nothing to report, not a failure.
        Write-AgentLog -Level 'warn' -Message ('no IPv4 address to report: {0}' -f (Format-SafeError -Exception $_.Exception))
        return
    }
    if ($null -eq $address) {
        Write-AgentLog -Level 'warn' -Message 'no usable IPv4 address appeared before the deadline'
        return
    }
    Set-KvpGuestIPv4 -Address $address
    Write-AgentLog -Message ('reported IPv4 {0}' -f $address)
}

function Request-GuestRestart {
    if ($NoRestart) {
        Write-AgentLog -Level 'warn' -Message 'a restart is needed but -NoRestart was given'
        return
    }
    # shutdown.exe schedules the restart and returns, so the task can be unregistered and the
    # agent exit cleanly before Windows goes down.
    $shutdown = Join-Path -Path $env:SystemRoot -ChildPath 'System32\shutdown.exe'
    & $shutdown '/r' '/t' ([string]$RestartDelaySeconds) '/d' 'p:4:2' '/c' 'Aether-V guest provisioning' | Out-Null
    if ($LASTEXITCODE -ne 0) {
        Write-AgentLog -Level 'warn' -Message ('shutdown.exe exited with {0}; restarting now' -f $LASTEXITCODE)
        Restart-Computer -Force -ErrorAction Stop
    }
    Write-AgentLog -Message ('restart scheduled in {0} s' -f $RestartDelaySeconds)
}

# Removes everything secret and the task; runs after the final report, whatever it was.
function Complete-Run {
    Close-GuestKey
    try {
        Remove-FileSecurely -Path $script:SecretPath
        Write-AgentProgress -Path $script:ProgressPath -Phase 'done'
    }
    catch {
        Write-AgentLog -Level 'error' -Message ('cleanup failed: {0}' -f (Format-SafeError -Exception $_.Exception))
    }
    # The outcome is already reported: nothing below may turn it into another one.
    try {
        if ($script:RestartRequired) {
            Request-GuestRestart
        }
        Unregister-GuestAgentTask
        Write-AgentLog -Message 'provisioning finished; task unregistered'
    }
    catch {
        Write-AgentLog -Level 'error' -Message ('cannot restart or unregister the task: {0}' -f (Format-SafeError -Exception $_.Exception))
    }
}

function Complete-Success {
    Set-Stage -Code 'error publishing:state'
    Publish-GuestAddress
    Set-KvpGuestState -State 'applied'
    Write-AgentLog -Message 'applied'
    Complete-Run
}

function Complete-Failure {
    param(
        [Parameter(Mandatory = $true)][string]$Code
    )
    $summary = Limit-GuestErrorText -Code $Code
    Write-AgentLog -Level 'error' -Message ('failed: {0}' -f $summary)
    try {
        Set-KvpGuestError -Summary $summary
        Set-KvpGuestState -State 'failed'
    }
    catch {
        Write-AgentLog -Level 'error' -Message ('cannot report the failure: {0}' -f (Format-SafeError -Exception $_.Exception))
    }
    # A failed run does not restart the guest: it stays as it is, for inspection.
    $script:RestartRequired = $false
    Complete-Run
}

function Invoke-FreshRun {
    $config = $null
    try {
        $config = Receive-GuestConfiguration
        Write-AgentProgress -Path $script:ProgressPath -Phase 'applying'
        Set-Stage -Code 'error publishing:state'
        Set-KvpGuestState -State 'applying'
        if (Invoke-GuestConfiguration -Config $config) {
            Complete-Success
        }
        else {
            Request-GuestRestart
        }
    }
    finally {
        Close-GuestConfiguration -Config $config
    }
}

function Invoke-DomainJoinRetry {
    param(
        [Parameter(Mandatory = $true)]$Progress
    )
    Set-Stage -Code 'error applying:domain-join'
    $attempt = [int]$Progress.attempt + 1
    $join = [pscustomobject]@{
        Domain   = [string]$Progress.domain
        UserName = [string]$Progress.username
        Password = Unprotect-DomainJoinPassword -Path $script:SecretPath
        OUPath   = [string]$Progress.ouPath
    }
    try {
        # Counted before trying, so that a run that dies mid-attempt cannot retry forever.
        Write-AgentProgress -Path $script:ProgressPath -Phase 'domainjoin-retry' -Data @{
            attempt  = $attempt
            domain   = $join.Domain
            username = $join.UserName
            ouPath   = $join.OUPath
        }
        if (Invoke-DomainJoinAttempt -Join $join -NewName '' -Attempt $attempt) {
            Remove-FileSecurely -Path $script:SecretPath
            Complete-Success
        }
        else {
            Request-GuestRestart
        }
    }
    finally {
        $join.Password.Dispose()
    }
}

function Invoke-Agent {
    Set-Stage -Code 'error initializing:progress'
    $progress = Read-AgentProgress -Path $script:ProgressPath
    $phase = 'new'
    if ($null -ne $progress) {
        $phase = [string]$progress.phase
    }
    Write-AgentLog -Message ('agent started (phase {0})' -f $phase)
    switch ($phase) {
        'new' {
            Invoke-FreshRun
        }
        'handshake' {
            # The key published before the restart is gone. While the host still waits for a key
            # it has not used it, so a new handshake can start over; once it has published a
            # payload for the lost key, the run cannot be saved.
            if ((Get-KvpHostState) -cne 'awaiting-key') {
                throw (New-GuestFailure -Code 'error interrupted:handshake' -Message 'the agent restarted after the host encrypted to its lost key')
            }
            Write-AgentLog -Level 'warn' -Message 'restarted during the handshake; starting over with a new key'
            Invoke-FreshRun
        }
        'applying' {
            throw (New-GuestFailure -Code 'error interrupted:applying' -Message 'the agent restarted while applying the configuration')
        }
        'domainjoin-retry' {
            Invoke-DomainJoinRetry -Progress $progress
        }
        'done' {
            Unregister-GuestAgentTask
        }
    }
}

Initialize-AgentLog -Path $script:LogPath
$exitCode = 0
try {
    Invoke-Agent
}
catch {
    $failure = $_.Exception
    $code = Get-GuestFailureCode -Exception $failure -Default $script:StageCode
    # Parser and crypto messages can quote what they were given; apply-step messages cannot.
    $typeOnly = $script:StageCode -match '^error (reading|decrypting|validating):'
    Write-AgentLog -Level 'error' -Message ('{0}: {1}' -f $code, (Format-SafeError -Exception $failure -TypeOnly:$typeOnly))
    try {
        Complete-Failure -Code $code
    }
    catch {
        Write-AgentLog -Level 'error' -Message ('cannot finish the failed run: {0}' -f (Format-SafeError -Exception $_.Exception))
        $exitCode = 1
    }
}
finally {
    Close-GuestKey
}
exit $exitCode
