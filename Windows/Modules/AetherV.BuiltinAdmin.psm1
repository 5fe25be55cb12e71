# The built-in Administrator account (RID 500, whatever its localised name): unattend.xml gives
# it a throw-away password so that Windows Server's OOBE runs unattended; SetupComplete.cmd,
# which Windows runs after OOBE and before the logon screen, replaces it here with a random
# password that is never stored, shown or logged. The guest configuration's local administrator
# is managed separately (AetherV.LocalAdmin.psm1), later, by the agent.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function New-GuestRandomPassword {
    # 24 random bytes as base64 behind a fixed prefix that satisfies any complexity policy.
    $bytes = [byte[]]::new(24)
    $rng = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try {
        $rng.GetBytes($bytes)
    }
    finally {
        $rng.Dispose()
    }
    $secure = [System.Security.SecureString]::new()
    foreach ($character in ('Zz9!' + [System.Convert]::ToBase64String($bytes)).ToCharArray()) {
        $secure.AppendChar($character)
    }
    [System.Array]::Clear($bytes, 0, $bytes.Length)
    $secure.MakeReadOnly()
    return $secure
}

function Reset-GuestBuiltinAdministratorPassword {
    # Returns the account's name (for the log); never the password.
    [CmdletBinding()]
    param()
    $builtin = @(Get-LocalUser -ErrorAction Stop | Where-Object { $null -ne $_.SID -and [string]$_.SID -match '^S-1-5-21-[0-9-]+-500$' })
    if ($builtin.Count -eq 0) {
        throw [System.InvalidOperationException]::new('no built-in Administrator account (RID 500)')
    }
    Set-LocalUser -InputObject $builtin[0] -Password (New-GuestRandomPassword) -ErrorAction Stop
    return [string]$builtin[0].Name
}

Export-ModuleMember -Function @('Reset-GuestBuiltinAdministratorPassword')
