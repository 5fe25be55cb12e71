# The cmdlet stubs of simulator/powershell/Modules against the agent that calls them: every
# command the agent runs exists here (an agent function, a PowerShell cmdlet, or a stub), every
# parameter it names exists on that stub, every stub only forwards, and a stub called with
# neither a Mock nor the simulator says so.

BeforeDiscovery {
    $agentRoot = Join-Path -Path $PSScriptRoot -ChildPath '..'
    $script:agentFiles = @(Get-ChildItem -LiteralPath $agentRoot -Filter '*.ps1' -File | ForEach-Object { @{ File = $_.Name; Path = $_.FullName } })
}

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelpers.ps1')
    Import-Module -Name 'FailoverClusters' -Force -Verbose:$false
    $script:stubModules = @('Hyper-V', 'FailoverClusters', 'CimCmdlets', 'AetherV.WindowsShims')
    $script:stubs = @{}
    foreach ($module in $script:stubModules) {
        foreach ($command in (Get-Module -Name $module).ExportedFunctions.Values) {
            $script:stubs[$command.Name] = $command
        }
    }

    function Get-CommandCall {
        # The commands a script invokes by name, with the parameters each call names.
        param([string] $Path)
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$null, [ref]$null)
        $defined = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) | ForEach-Object { $_.Name })
        foreach ($call in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $call.GetCommandName()
            if ($null -eq $name -or $defined -contains $name) {
                continue
            }
            [pscustomobject]@{
                Name       = $name
                Parameters = @($call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
                Line       = $call.Extent.StartLineNumber
            }
        }
    }
}

Describe 'the stubs cover <File>' -ForEach $script:agentFiles {
    It 'every command it runs exists, and every parameter it names exists on it' {
        $agentFunctions = @(Get-ChildItem -LiteralPath (Split-Path -Path $Path -Parent) -Filter '*.ps1' -File | ForEach-Object {
                [System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref]$null, [ref]$null).FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) | ForEach-Object { $_.Name }
            })
        $problems = foreach ($call in @(Get-CommandCall -Path $Path)) {
            if ($agentFunctions -contains $call.Name) {
                continue
            }
            $command = $script:stubs[$call.Name]
            if ($null -eq $command) {
                $command = Get-Command -Name $call.Name -CommandType Cmdlet, Function -ErrorAction SilentlyContinue | Where-Object { $script:stubModules -notcontains $_.Source } | Select-Object -First 1
            }
            if ($null -eq $command) {
                "line $($call.Line): $($call.Name) is neither a stub nor a PowerShell command"
                continue
            }
            foreach ($parameter in $call.Parameters) {
                $known = @($command.Parameters.Values | Where-Object { $_.Name -eq $parameter -or $_.Aliases -contains $parameter })
                if ($known.Count -eq 0) {
                    "line $($call.Line): $($call.Name) has no parameter -$parameter"
                }
            }
        }
        @($problems) | Should -BeNullOrEmpty
    }
}

Describe 'the stub modules' {
    It 'every stub function only forwards to AetherV.SimBackend\Invoke-AetherVSimCmdlet from its process block' {
        $script:stubs.Count | Should -BeGreaterThan 40
        $problems = foreach ($command in $script:stubs.Values) {
            $body = $command.ScriptBlock.Ast.Body
            $statements = @($body.ProcessBlock.Statements)
            if ($null -ne $body.BeginBlock -or $null -ne $body.EndBlock -or $statements.Count -ne 1 -or
                $statements[0].Extent.Text -ne 'AetherV.SimBackend\Invoke-AetherVSimCmdlet -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters') {
                $command.Name
            }
        }
        @($problems) | Should -BeNullOrEmpty
    }

    It 'pipes a VM object to -VM, not to -VMSnapshot, by its type name' {
        Mock Get-VMHardDiskDrive { @($PesterBoundParameters.Keys) }
        $vm = New-FakeVm -Name 'web01'
        $vm | Get-VMHardDiskDrive | Should -Be @('VM')
        { Get-VMHardDiskDrive -VM ([pscustomobject]@{ Name = 'not a VM' }) } | Should -Throw '*PSTypeName*'
    }

    It 'a stub called without a Mock and without the simulator says so' {
        $copy = Join-Path -Path $TestDrive -ChildPath 'Modules'
        $null = New-Item -ItemType Directory -Path $copy -Force
        foreach ($module in $script:stubModules) {
            Copy-Item -LiteralPath (Join-Path -Path $script:RepoRoot -ChildPath "simulator/powershell/Modules/$module") -Destination $copy -Recurse
        }
        $pwsh = Join-Path -Path $PSHOME -ChildPath 'pwsh'
        if (-not (Test-Path -LiteralPath $pwsh)) {
            $pwsh = (Get-Process -Id $PID).Path
        }
        # The child's module path: the copy, then PowerShell's own, without the repository's
        # simulator/powershell/Modules (which holds AetherV.SimBackend).
        $saved = $env:PSModulePath
        $own = @($saved -split [System.IO.Path]::PathSeparator | Where-Object { $_ -ne '' -and -not (Test-Path -LiteralPath (Join-Path -Path $_ -ChildPath 'AetherV.SimBackend')) })
        $env:PSModulePath = (@($copy) + $own) -join [System.IO.Path]::PathSeparator
        try {
            $text = & $pwsh -NoLogo -NoProfile -NonInteractive -Command 'try { Get-VM -Id ([guid]::NewGuid()) -ErrorAction Stop } catch { $_.Exception.Message }'
        } finally {
            $env:PSModulePath = $saved
        }
        ($text -join "`n") | Should -BeLike '*Stub cmdlet Get-VM was called without a Pester Mock and without the simulator*'
    }
}
