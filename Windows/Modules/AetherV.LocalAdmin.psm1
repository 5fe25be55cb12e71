# The local administrator account from the guest configuration: created or updated, enabled,
# and made a member of the built-in Administrators group, found by its well-known SID
# (S-1-5-32-544) because its name is localised ("Administratoren", "Administrateurs", ...).
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:AdministratorsSid = 'S-1-5-32-544'
# The SAM limit for local account names; the configuration schema allows longer names for Linux.
$script:MaxWindowsAccountName = 20

function Set-GuestLocalAdministrator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$UserName,
        [Parameter(Mandatory = $true)][System.Security.SecureString]$Password
    )
    if ($UserName.Length -gt $script:MaxWindowsAccountName) {
        throw [System.ArgumentException]::new(('a Windows account name has at most {0} characters' -f $script:MaxWindowsAccountName))
    }
    $existing = @(Get-LocalUser -ErrorAction Stop | Where-Object { [string]::Equals($_.Name, $UserName, [System.StringComparison]::OrdinalIgnoreCase) })
    if ($existing.Count -eq 0) {
        $user = New-LocalUser -Name $UserName -Password $Password -PasswordNeverExpires -AccountNeverExpires -Description 'Local administrator (Aether-V provisioning)' -ErrorAction Stop
    }
    else {
        $user = $existing[0]
        Set-LocalUser -InputObject $user -Password $Password -PasswordNeverExpires $true -AccountNeverExpires -ErrorAction Stop
        Enable-LocalUser -InputObject $user -ErrorAction Stop
    }
    Add-GuestAdministratorsMember -User $user
}

function Add-GuestAdministratorsMember {
    param(
        [Parameter(Mandatory = $true)]$User
    )
    # The SID as text: -SID's binding converts it to a SecurityIdentifier.
    $administrators = Get-LocalGroup -SID $script:AdministratorsSid -ErrorAction Stop
    try {
        # -Group: Add-LocalGroupMember has no -InputObject (Group, Name and SID sets only).
        Add-LocalGroupMember -Group $administrators -Member $User -ErrorAction Stop
    }
    catch {
        # Already a member: the desired state. Get-LocalGroupMember is not used to check first
        # because it fails on groups holding unresolvable SIDs.
        $alreadyMember = ($_.Exception.GetType().FullName -eq 'Microsoft.PowerShell.Commands.MemberExistsException') -or ($_.FullyQualifiedErrorId -like 'MemberExists,*')
        if (-not $alreadyMember) {
            throw
        }
    }
}

Export-ModuleMember -Function @('Set-GuestLocalAdministrator')
