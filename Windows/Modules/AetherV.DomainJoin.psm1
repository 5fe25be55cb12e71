# Active Directory domain join, with OU, and the rename folded into the join when both are asked
# (Add-Computer -NewName), so the computer account is created once under its final name.
# A join that fails (the domain controller not yet reachable, typically) is retried after a
# restart. Between the two attempts the join password is kept only DPAPI-protected
# (LocalMachine scope, with entropy) in the agent's folder, which only SYSTEM and Administrators
# can read, and the file is overwritten and deleted as soon as the retry ends either way.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:Entropy = [System.Text.Encoding]::UTF8.GetBytes('aetherv.kvp/1 pending domain join')

function Test-GuestDomainMember {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Domain
    )
    $system = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
    return ([bool]$system.PartOfDomain -and [string]::Equals([string]$system.Domain, $Domain, [System.StringComparison]::OrdinalIgnoreCase))
}

# Waits until DNS can locate a domain controller of $Domain (its _ldap SRV record); $false when
# the deadline passes first.
function Wait-DomainController {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Domain,
        [Parameter(Mandatory = $true)][ValidateRange(0, 86400)][int]$TimeoutSeconds,
        [Parameter(Mandatory = $true)][ValidateRange(1, 3600)][int]$PollSeconds
    )
    $record = '_ldap._tcp.dc._msdcs.{0}' -f $Domain
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        try {
            $answers = @(Resolve-DnsName -Name $record -Type SRV -DnsOnly -QuickTimeout -ErrorAction Stop | Where-Object { $_.QueryType -eq 'SRV' })
            if ($answers.Count -gt 0) {
                return $true
            }
        }
        catch {
            # Not resolvable yet: keep waiting until the deadline.
            $answers = @()
        }
        if ($clock.Elapsed.TotalSeconds -ge $TimeoutSeconds) {
            return $false
        }
        Start-Sleep -Seconds $PollSeconds
    }
}

function New-DomainJoinCredential {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Domain,
        [Parameter(Mandatory = $true)][string]$UserName,
        [Parameter(Mandatory = $true)][System.Security.SecureString]$Password
    )
    # A bare account name is qualified with the domain it joins; DOMAIN\user and UPNs stay as given.
    $qualified = $UserName
    if ($UserName.IndexOf('\') -lt 0 -and $UserName.IndexOf('@') -lt 0) {
        $qualified = '{0}\{1}' -f $Domain, $UserName
    }
    return [System.Management.Automation.PSCredential]::new($qualified, $Password)
}

# Joins the domain (renaming in the same step when $NewName is given). Throws on failure.
function Join-GuestDomain {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Domain,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCredential]$Credential,
        [string]$OUPath = '',
        [string]$NewName = ''
    )
    $options = @('AccountCreate')
    $arguments = @{
        DomainName    = $Domain
        Credential    = $Credential
        Force         = $true
        ErrorAction   = 'Stop'
        WarningAction = 'SilentlyContinue'
    }
    if (-not [string]::IsNullOrEmpty($OUPath)) {
        $arguments['OUPath'] = $OUPath
    }
    if (-not [string]::IsNullOrEmpty($NewName)) {
        $arguments['NewName'] = $NewName
        $options += 'JoinWithNewName'
    }
    # One comma-separated string: the JoinOptions flags parse from it like from the command line.
    $arguments['Options'] = $options -join ','
    Add-Computer @arguments
}

function Protect-DomainJoinPassword {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.SecureString]$Password,
        [Parameter(Mandatory = $true)][string]$Path
    )
    Add-Type -AssemblyName System.Security
    $pointer = [System.Runtime.InteropServices.Marshal]::SecureStringToGlobalAllocUnicode($Password)
    $plain = [byte[]]::new($Password.Length * 2)
    try {
        [System.Runtime.InteropServices.Marshal]::Copy($pointer, $plain, 0, $plain.Length)
        $protected = [System.Security.Cryptography.ProtectedData]::Protect($plain, $script:Entropy, [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
    }
    finally {
        [Array]::Clear($plain, 0, $plain.Length)
        [System.Runtime.InteropServices.Marshal]::ZeroFreeGlobalAllocUnicode($pointer)
    }
    [System.IO.File]::WriteAllBytes($Path, $protected)
}

function Unprotect-DomainJoinPassword {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    Add-Type -AssemblyName System.Security
    $protected = [System.IO.File]::ReadAllBytes($Path)
    $plain = [System.Security.Cryptography.ProtectedData]::Unprotect($protected, $script:Entropy, [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
    try {
        $secure = [System.Security.SecureString]::new()
        for ($index = 0; $index -lt $plain.Length; $index += 2) {
            $secure.AppendChar([System.BitConverter]::ToChar($plain, $index))
        }
        $secure.MakeReadOnly()
    }
    finally {
        [Array]::Clear($plain, 0, $plain.Length)
    }
    return $secure
}

# Best effort on NTFS (no guarantee on SSDs or with shadow copies): overwrite the bytes, flush,
# then delete, so the DPAPI blob does not linger in free clusters.
function Remove-FileSecurely {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Path
    )
    if (-not [System.IO.File]::Exists($Path)) {
        return
    }
    $length = ([System.IO.FileInfo]::new($Path)).Length
    $stream = [System.IO.FileStream]::new($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Write, [System.IO.FileShare]::None)
    try {
        $noise = [byte[]]::new([Math]::Max([long]1, $length))
        $random = [System.Security.Cryptography.RandomNumberGenerator]::Create()
        try {
            $random.GetBytes($noise)
        }
        finally {
            $random.Dispose()
        }
        $stream.Write($noise, 0, [int]$length)
        $stream.Flush($true)
    }
    finally {
        $stream.Dispose()
    }
    [System.IO.File]::Delete($Path)
}

Export-ModuleMember -Function @('Test-GuestDomainMember', 'Wait-DomainController', 'New-DomainJoinCredential', 'Join-GuestDomain', 'Protect-DomainJoinPassword', 'Unprotect-DomainJoinPassword', 'Remove-FileSecurely')
