# Parses and checks the decrypted guest configuration (Schemas/guest-config.json; DESIGN section 5)
# into the shape the apply steps use. Passwords become SecureStrings at once. Nothing here logs
# or echoes values: a parser message could quote a secret, so failures say only which field.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'AetherV.Failure.psm1') -ErrorAction Stop

function Get-JsonMember {
    param(
        [AllowNull()]$Object,
        [Parameter(Mandatory = $true)][string]$Name
    )
    if ($null -eq $Object -or $Object -isnot [System.Management.Automation.PSCustomObject]) {
        return $null
    }
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) {
        return $null
    }
    # The comma keeps a one-element array an array: a plain return unrolls ["10.0.0.2"] into a
    # string, and a single DNS server failed validation (5.1 and 7 alike).
    return , $property.Value
}

function New-ConfigFailure {
    param(
        [Parameter(Mandatory = $true)][string]$Field
    )
    return (New-GuestFailure -Code 'error validating:config' -Message ('guest configuration field "{0}" is missing or invalid' -f $Field))
}

function Get-ConfigString {
    param(
        [AllowNull()]$Object,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Field,
        [Parameter(Mandatory = $true)][string]$Pattern,
        [switch]$Required
    )
    $value = Get-JsonMember -Object $Object -Name $Name
    if ($null -eq $value) {
        if ($Required) {
            throw (New-ConfigFailure -Field $Field)
        }
        return $null
    }
    if ($value -isnot [string] -or $value -cnotmatch $Pattern) {
        throw (New-ConfigFailure -Field $Field)
    }
    return $value
}

function Get-ConfigObject {
    param(
        [AllowNull()]$Object,
        [Parameter(Mandatory = $true)][string]$Name,
        [Parameter(Mandatory = $true)][string]$Field
    )
    $value = Get-JsonMember -Object $Object -Name $Name
    if ($null -ne $value -and $value -isnot [System.Management.Automation.PSCustomObject]) {
        throw (New-ConfigFailure -Field $Field)
    }
    return $value
}

function Test-IPv4Text {
    param(
        [Parameter(Mandatory = $true)][string]$Text
    )
    if ($Text -cnotmatch '^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$') {
        return $false
    }
    return $true
}

function Test-IPAddressText {
    param(
        [Parameter(Mandatory = $true)][string]$Text
    )
    if (Test-IPv4Text -Text $Text) {
        return $true
    }
    $parsed = $null
    if ($Text -cmatch '^[0-9A-Fa-f:.]+$' -and [System.Net.IPAddress]::TryParse($Text, [ref]$parsed)) {
        return ($parsed.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6)
    }
    return $false
}

function ConvertTo-Secret {
    param(
        [Parameter(Mandatory = $true)][string]$Text
    )
    return (ConvertTo-SecureString -String $Text -AsPlainText -Force)
}

$script:HostnamePattern = '^(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$'
$script:AccountPattern = '^[A-Za-z_][A-Za-z0-9_.-]{0,31}$'
$script:PasswordPattern = '^[^\x00\r\n]{1,256}$'
$script:DomainPattern = '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'
$script:PrintablePattern = '^[^\x00-\x1f\x7f]{1,1024}$'
$script:SuffixPattern = '^(?=.{1,253}$)(?!-)[\p{L}\p{N}-]{1,63}(?<!-)(?:\.(?!-)[\p{L}\p{N}-]{1,63}(?<!-))*$'

function ConvertFrom-GuestConfigJson {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][byte[]]$JsonBytes
    )
    try {
        $text = [System.Text.UTF8Encoding]::new($false, $true).GetString($JsonBytes)
        $document = ConvertFrom-Json -InputObject $text
    }
    catch {
        # The parser's message can quote the document, so it is not passed on.
        throw (New-GuestFailure -Code 'error validating:config' -Message 'the guest configuration is not UTF-8 JSON')
    }
    finally {
        $text = $null
    }
    if ($document -isnot [System.Management.Automation.PSCustomObject]) {
        throw (New-ConfigFailure -Field '(document)')
    }

    $hostname = Get-ConfigString -Object $document -Name 'hostname' -Field 'hostname' -Pattern $script:HostnamePattern

    $localAdmin = $null
    $adminNode = Get-ConfigObject -Object $document -Name 'localAdmin' -Field 'localAdmin'
    if ($null -ne $adminNode) {
        $adminName = Get-ConfigString -Object $adminNode -Name 'username' -Field 'localAdmin.username' -Pattern $script:AccountPattern -Required
        $adminPassword = Get-ConfigString -Object $adminNode -Name 'password' -Field 'localAdmin.password' -Pattern $script:PasswordPattern -Required
        $localAdmin = [pscustomobject]@{ UserName = $adminName; Password = (ConvertTo-Secret -Text $adminPassword) }
        $adminPassword = $null
    }

    $ipv4 = $null
    $dns = $null
    $macAddress = $null
    $networkNode = Get-ConfigObject -Object $document -Name 'network' -Field 'network'
    if ($null -ne $networkNode) {
        # Issue 16: the adapter the settings are for, by the MAC the orchestrator read from Hyper-V.
        $macAddress = Get-ConfigString -Object $networkNode -Name 'macAddress' -Field 'network.macAddress' -Pattern '^[0-9A-F]{12}$'
        $ipv4Node = Get-ConfigObject -Object $networkNode -Name 'ipv4' -Field 'network.ipv4'
        if ($null -ne $ipv4Node) {
            $address = Get-ConfigString -Object $ipv4Node -Name 'address' -Field 'network.ipv4.address' -Pattern '^[0-9.]{7,15}$' -Required
            $gateway = Get-ConfigString -Object $ipv4Node -Name 'gateway' -Field 'network.ipv4.gateway' -Pattern '^[0-9.]{7,15}$' -Required
            if (-not (Test-IPv4Text -Text $address)) {
                throw (New-ConfigFailure -Field 'network.ipv4.address')
            }
            if (-not (Test-IPv4Text -Text $gateway)) {
                throw (New-ConfigFailure -Field 'network.ipv4.gateway')
            }
            $prefix = Get-JsonMember -Object $ipv4Node -Name 'prefixLength'
            if (-not ($prefix -is [int] -or $prefix -is [long]) -or $prefix -lt 1 -or $prefix -gt 32) {
                throw (New-ConfigFailure -Field 'network.ipv4.prefixLength')
            }
            $ipv4 = [pscustomobject]@{ Address = $address; PrefixLength = [int]$prefix; Gateway = $gateway }
        }
        $dnsNode = Get-ConfigObject -Object $networkNode -Name 'dns' -Field 'network.dns'
        if ($null -ne $dnsNode) {
            $servers = @()
            $serversNode = Get-JsonMember -Object $dnsNode -Name 'servers'
            if ($null -ne $serversNode) {
                if ($serversNode -isnot [System.Array]) {
                    throw (New-ConfigFailure -Field 'network.dns.servers')
                }
                $servers = @($serversNode)
                if ($servers.Count -lt 1 -or $servers.Count -gt 3) {
                    throw (New-ConfigFailure -Field 'network.dns.servers')
                }
                foreach ($server in $servers) {
                    if ($server -isnot [string] -or -not (Test-IPAddressText -Text $server)) {
                        throw (New-ConfigFailure -Field 'network.dns.servers')
                    }
                }
            }
            $suffix = Get-ConfigString -Object $dnsNode -Name 'searchSuffix' -Field 'network.dns.searchSuffix' -Pattern $script:SuffixPattern
            if ($null -ne $suffix) {
                try {
                    # Windows' resolver wants the IDNA (xn--) form of Unicode labels.
                    $suffix = [System.Globalization.IdnMapping]::new().GetAscii($suffix)
                }
                catch {
                    throw (New-ConfigFailure -Field 'network.dns.searchSuffix')
                }
            }
            $dns = [pscustomobject]@{ Servers = [string[]]$servers; SearchSuffix = $suffix }
        }
    }

    $domainJoin = $null
    $joinNode = Get-ConfigObject -Object $document -Name 'domainJoin' -Field 'domainJoin'
    if ($null -ne $joinNode) {
        $domain = Get-ConfigString -Object $joinNode -Name 'domain' -Field 'domainJoin.domain' -Pattern $script:DomainPattern -Required
        $joinUser = Get-ConfigString -Object $joinNode -Name 'username' -Field 'domainJoin.username' -Pattern $script:PrintablePattern -Required
        $joinPassword = Get-ConfigString -Object $joinNode -Name 'password' -Field 'domainJoin.password' -Pattern $script:PasswordPattern -Required
        $ou = Get-ConfigString -Object $joinNode -Name 'ou' -Field 'domainJoin.ou' -Pattern $script:PrintablePattern
        $domainJoin = [pscustomobject]@{ Domain = $domain; UserName = $joinUser; Password = (ConvertTo-Secret -Text $joinPassword); OUPath = $ou }
        $joinPassword = $null
    }

    return [pscustomobject]@{
        Hostname   = $hostname
        LocalAdmin = $localAdmin
        IPv4       = $ipv4
        Dns        = $dns
        MacAddress = $macAddress
        DomainJoin = $domainJoin
    }
}

Export-ModuleMember -Function @('ConvertFrom-GuestConfigJson')
