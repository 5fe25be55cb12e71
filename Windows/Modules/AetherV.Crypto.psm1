# The guest's cryptography for aetherv.kvp/1 (DESIGN section 5):
#   aetherv.key     = base64(RSA-OAEP(SHA-256, MGF1-SHA-256)(Ke || Km)), Ke and Km 32 bytes each
#   aetherv.payload = base64(IV(16) || C || T(32)), C = AES-256-CBC/PKCS#7(Ke, IV, P),
#                     T = HMAC-SHA-256(Km, "aetherv.kvp/1" || IV || C)
# T is checked in constant time before anything is decrypted. The private key lives only in
# this process (an ephemeral CNG key, never exported); every key byte array is zeroed after use.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'AetherV.Failure.psm1') -ErrorAction Stop

$script:MacLabel = 'aetherv.kvp/1'
$script:IvLength = 16
$script:MacLength = 32
$script:AesBlockLength = 16
$script:KeyLength = 32

# An ephemeral CNG key (never persisted). The only Windows-only call of this module, kept in a
# function of its own so that tests elsewhere can replace exactly this and nothing else.
function New-Rsa3072Key {
    return [System.Security.Cryptography.RSACng]::new(3072)
}

function New-GuestKeyPair {
    [CmdletBinding()]
    param()
    try {
        $rsa = New-Rsa3072Key
        # RSACng creates its (ephemeral, never persisted) key lazily; exporting the public half
        # makes it exist now, so that a failure is reported as 'generating'.
        [void]$rsa.ExportParameters($false)
    }
    catch {
        throw (New-GuestFailure -Code 'error generating:rsa-key' -Message 'cannot create the RSA-3072 key' -InnerException $_.Exception)
    }
    return $rsa
}

function ConvertTo-Base64Url {
    param(
        [Parameter(Mandatory = $true)][byte[]]$Bytes
    )
    return [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

# The public half as the JWK the orchestrator expects: {"kty":"RSA","n":...,"e":...}.
function ConvertTo-PublicJwk {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.Cryptography.RSA]$Rsa
    )
    $public = $Rsa.ExportParameters($false)
    $jwk = [ordered]@{
        kty = 'RSA'
        n   = ConvertTo-Base64Url -Bytes $public.Modulus
        e   = ConvertTo-Base64Url -Bytes $public.Exponent
    }
    return (ConvertTo-Json -InputObject $jwk -Compress)
}

function Clear-Bytes {
    param(
        [AllowNull()][byte[]]$Bytes
    )
    if ($null -ne $Bytes) {
        [Array]::Clear($Bytes, 0, $Bytes.Length)
    }
}

# Compares two byte arrays in time that depends on their length only. .NET Framework 4.8 has
# no CryptographicOperations.FixedTimeEquals, so the loop never exits early.
function Test-BytesEqualConstantTime {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][byte[]]$Left,
        [Parameter(Mandatory = $true)][byte[]]$Right
    )
    if ($Left.Length -ne $Right.Length) {
        return $false
    }
    $difference = 0
    for ($index = 0; $index -lt $Left.Length; $index++) {
        $difference = $difference -bor ($Left[$index] -bxor $Right[$index])
    }
    return ($difference -eq 0)
}

# HMAC-SHA-256(Km, "aetherv.kvp/1" || IV || C) compared with T. Not -Iv (here and below): in an
# advanced function that name collides with -iv, the alias of the common parameter
# InformationVariable, and the call fails before the function runs.
function Test-PayloadMac {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][byte[]]$MacKey,
        [Parameter(Mandatory = $true)][byte[]]$InitializationVector,
        [Parameter(Mandatory = $true)][byte[]]$Ciphertext,
        [Parameter(Mandatory = $true)][byte[]]$Tag
    )
    $label = [System.Text.Encoding]::ASCII.GetBytes($script:MacLabel)
    $hmac = [System.Security.Cryptography.HMACSHA256]::new($MacKey)
    try {
        [void]$hmac.TransformBlock($label, 0, $label.Length, $null, 0)
        [void]$hmac.TransformBlock($InitializationVector, 0, $InitializationVector.Length, $null, 0)
        [void]$hmac.TransformFinalBlock($Ciphertext, 0, $Ciphertext.Length)
        $expected = $hmac.Hash
    }
    finally {
        $hmac.Dispose()
    }
    return (Test-BytesEqualConstantTime -Left $expected -Right $Tag)
}

# base64(IV || C || T) -> its three parts; the length must allow at least one cipher block.
function Split-PayloadBlob {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$PayloadText
    )
    try {
        $blob = [Convert]::FromBase64String($PayloadText)
    }
    catch {
        throw (New-GuestFailure -Code 'error reading:payload' -Message 'payload is not base64')
    }
    $cipherLength = $blob.Length - $script:IvLength - $script:MacLength
    if ($cipherLength -lt $script:AesBlockLength -or ($cipherLength % $script:AesBlockLength) -ne 0) {
        throw (New-GuestFailure -Code 'error reading:payload' -Message ('payload has an impossible length ({0} bytes)' -f $blob.Length))
    }
    $iv = [byte[]]::new($script:IvLength)
    $ciphertext = [byte[]]::new($cipherLength)
    $tag = [byte[]]::new($script:MacLength)
    [Array]::Copy($blob, 0, $iv, 0, $script:IvLength)
    [Array]::Copy($blob, $script:IvLength, $ciphertext, 0, $cipherLength)
    [Array]::Copy($blob, $script:IvLength + $cipherLength, $tag, 0, $script:MacLength)
    return [pscustomobject]@{ Iv = $iv; Ciphertext = $ciphertext; Tag = $tag }
}

# RSA-OAEP-SHA-256 unwrap of Ke || Km.
function Unprotect-WrappedKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.Cryptography.RSA]$Rsa,
        [Parameter(Mandatory = $true)][string]$WrappedKeyText
    )
    try {
        $wrapped = [Convert]::FromBase64String($WrappedKeyText)
    }
    catch {
        throw (New-GuestFailure -Code 'error reading:payload' -Message 'the wrapped key is not base64')
    }
    try {
        $keys = $Rsa.Decrypt($wrapped, [System.Security.Cryptography.RSAEncryptionPadding]::OaepSHA256)
    }
    catch {
        throw (New-GuestFailure -Code 'error decrypting:key' -Message 'the wrapped key does not decrypt with this guest key')
    }
    if ($keys.Length -ne (2 * $script:KeyLength)) {
        Clear-Bytes -Bytes $keys
        throw (New-GuestFailure -Code 'error decrypting:key' -Message ('the unwrapped key has {0} bytes, not 64' -f $keys.Length))
    }
    $encryptionKey = [byte[]]::new($script:KeyLength)
    $macKey = [byte[]]::new($script:KeyLength)
    [Array]::Copy($keys, 0, $encryptionKey, 0, $script:KeyLength)
    [Array]::Copy($keys, $script:KeyLength, $macKey, 0, $script:KeyLength)
    Clear-Bytes -Bytes $keys
    return [pscustomobject]@{ EncryptionKey = $encryptionKey; MacKey = $macKey }
}

function Invoke-AesCbcDecrypt {
    param(
        [Parameter(Mandatory = $true)][byte[]]$Key,
        [Parameter(Mandatory = $true)][byte[]]$InitializationVector,
        [Parameter(Mandatory = $true)][byte[]]$Ciphertext
    )
    $aes = [System.Security.Cryptography.Aes]::Create()
    try {
        $aes.Mode = [System.Security.Cryptography.CipherMode]::CBC
        $aes.Padding = [System.Security.Cryptography.PaddingMode]::PKCS7
        $aes.Key = $Key
        $aes.IV = $InitializationVector
        $decryptor = $aes.CreateDecryptor()
        try {
            $plaintext = $decryptor.TransformFinalBlock($Ciphertext, 0, $Ciphertext.Length)
        }
        finally {
            $decryptor.Dispose()
        }
    }
    finally {
        $aes.Dispose()
    }
    return , $plaintext
}

# The whole receive path: unwrap the keys, verify T, and only then decrypt. Returns the UTF-8
# plaintext bytes; the caller zeroes them once parsed.
function Unprotect-GuestPayload {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Security.Cryptography.RSA]$Rsa,
        [Parameter(Mandatory = $true)][string]$WrappedKeyText,
        [Parameter(Mandatory = $true)][string]$PayloadText
    )
    $parts = Split-PayloadBlob -PayloadText $PayloadText
    $keys = Unprotect-WrappedKey -Rsa $Rsa -WrappedKeyText $WrappedKeyText
    try {
        $macValid = Test-PayloadMac -MacKey $keys.MacKey -InitializationVector $parts.Iv -Ciphertext $parts.Ciphertext -Tag $parts.Tag
        if (-not $macValid) {
            throw (New-GuestFailure -Code 'error validating:mac' -Message 'payload MAC mismatch: the payload was altered or not meant for this guest')
        }
        try {
            $plaintext = Invoke-AesCbcDecrypt -Key $keys.EncryptionKey -InitializationVector $parts.Iv -Ciphertext $parts.Ciphertext
        }
        catch {
            throw (New-GuestFailure -Code 'error decrypting:payload' -Message 'payload does not decrypt')
        }
    }
    finally {
        Clear-Bytes -Bytes $keys.EncryptionKey
        Clear-Bytes -Bytes $keys.MacKey
    }
    return , $plaintext
}

Export-ModuleMember -Function @('New-GuestKeyPair', 'ConvertTo-PublicJwk', 'Unprotect-GuestPayload', 'Test-PayloadMac', 'Test-BytesEqualConstantTime', 'Clear-Bytes')
