# image.copy (CopyImage.ps1): a full copy streamed in chunks within the deadline, or a
# differencing child (New-VHD -Differencing), of a golden image found by name.

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
}

Describe 'image.copy' {
    BeforeEach {
        $null = Initialize-TestHostDrive
        Reset-FakeHost
        Register-FakeHyperV
        $golden = 'C:\Hyper-V\Golden Images'
        $null = New-Item -ItemType Directory -Path $golden -Force
        # 40 KiB of recognisable bytes stand for the image.
        $script:bytes = [byte[]]::new(40960)
        for ($i = 0; $i -lt $script:bytes.Length; $i++) { $script:bytes[$i] = [byte]($i % 251) }
        [System.IO.File]::WriteAllBytes((Join-Path -Path (Convert-Path -LiteralPath $golden) -ChildPath 'Ubuntu2404.vhdx'), $script:bytes)
        $null = Add-FakeVhd -Path 'C:\Hyper-V\Golden Images\Ubuntu2404.vhdx' -Size 30GB -FileSize 40960
        $null = Add-FakeVhd -Path 'C:\Hyper-V\app01\app01.vhdx' -Size 30GB -FileSize 40960
        Mock New-VHD { $null = Add-FakeVhd -Path $Path[0] -Size 30GB -FileSize 4096 -VhdType 'Differencing' -ParentPath $ParentPath; Set-Content -LiteralPath $Path[0] -Value 'child' }
        # A full copy keeps the source's disk identifier unless it is reset (issue 16).
        Mock Set-VHD { }
        $script:copy = @{ image = 'ubuntu2404'; destinationPath = 'C:\Hyper-V\app01\app01.vhdx'; mode = 'full' }
    }

    It 'copies the golden image to the destination byte for byte, logging progress' {
        $result = Assert-TestResultSchema -Operation 'image.copy' -Result (Invoke-TestOperation -Operation 'image.copy' -Params $script:copy)
        $result.path | Should -Be 'C:\Hyper-V\app01\app01.vhdx'
        $result.image | Should -Be 'Ubuntu2404'
        $result.mode | Should -Be 'full'
        $result.sizeBytes | Should -Be 30GB
        $result.parentPath | Should -BeNullOrEmpty
        $copied = [System.IO.File]::ReadAllBytes((Convert-Path -LiteralPath 'C:\Hyper-V\app01\app01.vhdx'))
        [System.Linq.Enumerable]::SequenceEqual($copied, $script:bytes) | Should -BeTrue
        Test-Path -LiteralPath 'C:\Hyper-V\app01\app01.vhdx.partial' | Should -BeFalse
        @(Get-TestAgentLog | Where-Object { $_.message -like 'Copied 100%*' }).Count | Should -Be 1
        Should -Invoke Set-VHD -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\Hyper-V\app01\app01.vhdx' -and $ResetDiskIdentifier -and $Force }
        Should -Invoke New-VHD -Times 0 -Exactly
    }

    It 'creates a differencing child with New-VHD -Differencing' {
        $params = $script:copy.Clone()
        $params['mode'] = 'differencing'
        $params['destinationPath'] = 'C:\Hyper-V\app02\app02.vhdx'
        $result = Assert-TestResultSchema -Operation 'image.copy' -Result (Invoke-TestOperation -Operation 'image.copy' -Params $params)
        $result.type | Should -Be 'Differencing'
        Test-AgentSamePath -Path $result.parentPath -Other 'C:\Hyper-V\Golden Images\Ubuntu2404.vhdx' | Should -BeTrue
        Should -Invoke New-VHD -Times 1 -Exactly -ParameterFilter { $Path -eq 'C:\Hyper-V\app02\app02.vhdx' -and $Differencing -and (Test-AgentSamePath -Path $ParentPath -Other 'C:\Hyper-V\Golden Images\Ubuntu2404.vhdx') }
        Should -Invoke Set-VHD -Times 0 -Exactly
    }

    It 'stops at the deadline without leaving a file at the destination (DEADLINE_EXCEEDED)' {
        $script:ImageCopyChunkBytes = 1024
        try {
            $failure = Get-TestAgentFailure -Operation 'image.copy' -Params $script:copy -DeadlineSeconds 0.001
        } finally {
            $script:ImageCopyChunkBytes = 16777216
        }
        $failure.code | Should -Be 'DEADLINE_EXCEEDED'
        Test-Path -LiteralPath 'C:\Hyper-V\app01\app01.vhdx' | Should -BeFalse
        Test-Path -LiteralPath 'C:\Hyper-V\app01\app01.vhdx.partial' | Should -BeFalse
    }

    It 'refuses a copy the volume has no room for (INVALID_PARAMS with the sizes)' {
        $script:FakeHost.Volumes = @(New-FakeCim -Class 'Win32_Volume' -Property ([ordered]@{ Name = 'C:\'; Capacity = [uint64]1TB; FreeSpace = [uint64]1024 }))
        $failure = Get-TestAgentFailure -Operation 'image.copy' -Params $script:copy
        $failure.code | Should -Be 'INVALID_PARAMS'
        $failure.details.requiredBytes | Should -Be 40960
        $failure.details.freeBytes | Should -Be 1024
    }

    It 'names the available images when the image is unknown (IMAGE_NOT_FOUND)' {
        $params = $script:copy.Clone()
        $params['image'] = 'Debian13'
        $failure = Get-TestAgentFailure -Operation 'image.copy' -Params $params
        $failure.code | Should -Be 'IMAGE_NOT_FOUND'
        $failure.details.available | Should -Be @('Ubuntu2404')
    }

    It 'refuses an existing destination (FILE_EXISTS), a child of another format or an unknown mode (INVALID_PARAMS)' {
        $null = New-Item -ItemType Directory -Path 'C:\Hyper-V\app01' -Force
        Set-Content -LiteralPath 'C:\Hyper-V\app01\app01.vhdx' -Value 'old'
        (Get-TestAgentFailure -Operation 'image.copy' -Params $script:copy).code | Should -Be 'FILE_EXISTS'
        (Get-TestAgentFailure -Operation 'image.copy' -Params @{ image = 'Ubuntu2404'; destinationPath = 'C:\Hyper-V\x.vhd'; mode = 'differencing' }).code | Should -Be 'INVALID_PARAMS'
        (Get-TestAgentFailure -Operation 'image.copy' -Params @{ image = 'Ubuntu2404'; destinationPath = 'C:\Hyper-V\x.vhdx'; mode = 'Full' }).code | Should -Be 'INVALID_PARAMS'
        Get-Content -LiteralPath 'C:\Hyper-V\app01\app01.vhdx' | Should -Be 'old'
    }
}
