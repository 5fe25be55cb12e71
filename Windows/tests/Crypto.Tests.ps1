# AetherV.Crypto: the guest's RSA-3072 key, its JWK, and the receive path's refusals. RSACng is
# Windows-only (on Linux its constructor throws PlatformNotSupportedException), so where a key is
# needed the tests replace only New-Rsa3072Key, the function holding that one constructor, with
# RSA.Create(3072). The orchestrator's own sealing is checked against this module from node
# (test/windows-agent/cross-language.test.ts); the sealing below is the protocol written out.
BeforeAll {
    Set-StrictMode -Version Latest
    $modules = Join-Path -Path (Split-Path -Parent $PSScriptRoot) -ChildPath 'Modules'
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Failure.psm1') -Force
    Import-Module -Name (Join-Path -Path $modules -ChildPath 'AetherV.Crypto.psm1') -Force

    function ConvertFrom-Base64Url([string]$Text) {
        $padded = $Text.Replace('-', '+').Replace('_', '/')
        $padded += '=' * ((4 - $padded.Length % 4) % 4)
        return , [Convert]::FromBase64String($padded)
    }

    function New-RandomBytes([int]$Count) {
        $bytes = [byte[]]::new($Count)
        $random = [System.Security.Cryptography.RandomNumberGenerator]::Create()
        $random.GetBytes($bytes)
        $random.Dispose()
        return , $bytes
    }

    # DESIGN section 5, host side: key = RSA-OAEP-SHA-256(Ke || Km); blob = IV || C || T.
    function Protect-TestPayload([System.Security.Cryptography.RSA]$Rsa, [byte[]]$Plaintext) {
        $ke = New-RandomBytes 32
        $km = New-RandomBytes 32
        $iv = New-RandomBytes 16
        $aes = [System.Security.Cryptography.Aes]::Create()
        $aes.Key = $ke
        $aes.IV = $iv
        $ciphertext = $aes.CreateEncryptor().TransformFinalBlock($Plaintext, 0, $Plaintext.Length)
        $label = [System.Text.Encoding]::ASCII.GetBytes('aetherv.kvp/1')
        $tag = [System.Security.Cryptography.HMACSHA256]::new($km).ComputeHash([byte[]]($label + $iv + $ciphertext))
        return [pscustomobject]@{
            Key  = [Convert]::ToBase64String($Rsa.Encrypt([byte[]]($ke + $km), [System.Security.Cryptography.RSAEncryptionPadding]::OaepSHA256))
            Blob = [byte[]]($iv + $ciphertext + $tag)
        }
    }

    function Get-FailureCode([scriptblock]$Action) {
        try {
            & $Action
        }
        catch {
            return Get-GuestFailureCode -Exception $_.Exception -Default 'none'
        }
        throw 'expected a failure'
    }
}

Describe 'New-GuestKeyPair and ConvertTo-PublicJwk' {
    It 'reports the CNG constructor failing as "error generating:rsa-key" (what it does on a platform without CNG)' {
        Get-FailureCode { New-GuestKeyPair } | Should -BeExactly 'error generating:rsa-key'
    }

    Context 'with New-Rsa3072Key replaced by RSA.Create(3072)' {
        BeforeAll {
            Mock -ModuleName AetherV.Crypto New-Rsa3072Key { [System.Security.Cryptography.RSA]::Create(3072) }
            $script:rsa = New-GuestKeyPair
            $script:jwkText = ConvertTo-PublicJwk -Rsa $script:rsa
            $script:jwk = ConvertFrom-Json -InputObject $script:jwkText
        }
        AfterAll {
            $script:rsa.Dispose()
        }

        It 'makes a 3072-bit key' {
            $script:rsa.KeySize | Should -Be 3072
        }

        It 'exports {"kty":"RSA","n":...,"e":...} and nothing private' {
            @($script:jwk.PSObject.Properties.Name) | Should -Be @('kty', 'n', 'e')
            $script:jwk.kty | Should -BeExactly 'RSA'
            $script:jwkText | Should -Not -Match '"(d|p|q|dp|dq|qi)"'
        }

        It 'encodes n as base64url without padding: 384 bytes, the top bit set' {
            $script:jwk.n | Should -MatchExactly '^[A-Za-z0-9_-]+$'
            $script:jwk.n.Length | Should -Be 512
            $modulus = ConvertFrom-Base64Url $script:jwk.n
            $modulus.Length | Should -Be 384
            $modulus[0] -band 0x80 | Should -Be 0x80
            [BitConverter]::ToString($modulus) | Should -BeExactly ([BitConverter]::ToString($script:rsa.ExportParameters($false).Modulus))
        }

        It 'encodes e = 65537 as AQAB' {
            $script:jwk.e | Should -BeExactly 'AQAB'
        }

        It 'makes a different key every time' {
            $other = New-GuestKeyPair
            try {
                (ConvertTo-PublicJwk -Rsa $other) | Should -Not -Be $script:jwkText
            }
            finally {
                $other.Dispose()
            }
        }
    }
}

Describe 'Unprotect-GuestPayload' {
    BeforeAll {
        $script:rsa = [System.Security.Cryptography.RSA]::Create(3072)
        $script:plaintext = [System.Text.Encoding]::UTF8.GetBytes('{"hostname":"web-01"}')
    }

    BeforeEach {
        $script:sealed = Protect-TestPayload -Rsa $script:rsa -Plaintext $script:plaintext
    }

    It 'opens a payload sealed for its key' {
        $opened = Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $script:sealed.Key -PayloadText ([Convert]::ToBase64String($script:sealed.Blob))
        [System.Text.Encoding]::UTF8.GetString($opened) | Should -BeExactly '{"hostname":"web-01"}'
    }

    It 'refuses a flipped ciphertext byte with "error validating:mac"' {
        $blob = $script:sealed.Blob
        $blob[20] = $blob[20] -bxor 0x01
        Get-FailureCode { Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $script:sealed.Key -PayloadText ([Convert]::ToBase64String($blob)) } | Should -BeExactly 'error validating:mac'
    }

    It 'refuses a wrong MAC with "error validating:mac"' {
        $blob = $script:sealed.Blob
        $blob[$blob.Length - 1] = $blob[$blob.Length - 1] -bxor 0x80
        Get-FailureCode { Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $script:sealed.Key -PayloadText ([Convert]::ToBase64String($blob)) } | Should -BeExactly 'error validating:mac'
    }

    It 'refuses a payload sealed for another key with "error decrypting:key"' {
        $other = [System.Security.Cryptography.RSA]::Create(3072)
        $foreign = Protect-TestPayload -Rsa $other -Plaintext $script:plaintext
        Get-FailureCode { Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $foreign.Key -PayloadText ([Convert]::ToBase64String($foreign.Blob)) } | Should -BeExactly 'error decrypting:key'
    }

    It 'refuses text that is not base64, or too short to hold a block, with "error reading:payload"' {
        Get-FailureCode { Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $script:sealed.Key -PayloadText 'not*base64' } | Should -BeExactly 'error reading:payload'
        $short = [Convert]::ToBase64String([byte[]]::new(16 + 32 + 8))
        Get-FailureCode { Unprotect-GuestPayload -Rsa $script:rsa -WrappedKeyText $script:sealed.Key -PayloadText $short } | Should -BeExactly 'error reading:payload'
    }

    It 'compares MACs over the whole length' {
        Test-BytesEqualConstantTime -Left ([byte[]](1, 2, 3)) -Right ([byte[]](1, 2, 3)) | Should -BeTrue
        Test-BytesEqualConstantTime -Left ([byte[]](1, 2, 3)) -Right ([byte[]](1, 2, 4)) | Should -BeFalse
        Test-BytesEqualConstantTime -Left ([byte[]](1, 2, 3)) -Right ([byte[]](1, 2)) | Should -BeFalse
    }
}
