# No advanced function of the guest agent declares a parameter whose name collides with a common
# parameter or one of its aliases (-Iv is InformationVariable's, -Ov OutVariable's, -Ea
# ErrorAction's...): PowerShell checks that only when the function is called, and then every call
# fails with a MetadataException, on 5.1 and 7 alike. The reserved names come from PowerShell's own
# CommonParameters and ShouldProcessParameters types, not from a list kept here.
BeforeDiscovery {
    $windows = Split-Path -Parent $PSScriptRoot
    $script:functions = foreach ($file in @(Get-ChildItem -Path $windows -Recurse -Include '*.ps1', '*.psm1' | Where-Object { $_.FullName -notmatch '[\\/]tests[\\/]' })) {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
        foreach ($definition in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true)) {
            @{ File = $file.Name; Name = $definition.Name; Definition = $definition }
        }
    }
}

BeforeAll {
    function Get-ReservedName([type]$Type) {
        foreach ($property in $Type.GetProperties()) {
            $property.Name
            foreach ($alias in $property.GetCustomAttributes([System.Management.Automation.AliasAttribute], $true)) { $alias.AliasNames }
        }
    }
    $script:reserved = @(Get-ReservedName ([System.Management.Automation.Internal.CommonParameters])) + @(Get-ReservedName ([System.Management.Automation.Internal.ShouldProcessParameters]))
}

Describe 'guest agent functions' {
    It 'knows the reserved names and finds the agent''s functions' -ForEach @(@{ Count = @($script:functions).Count }) {
        $script:reserved | Should -Contain 'iv'
        $script:reserved | Should -Contain 'ErrorAction'
        $Count | Should -BeGreaterThan 50
    }

    It '<File>: <Name> declares no parameter named like a common parameter' -ForEach $script:functions {
        $parameters = @()
        if ($null -ne $Definition.Body.ParamBlock) {
            $parameters = @($Definition.Body.ParamBlock.Parameters)
        }
        $advanced = ($null -ne $Definition.Body.ParamBlock -and @($Definition.Body.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' }).Count -gt 0) -or
            @($parameters | Where-Object { @($_.Attributes | Where-Object { $_.TypeName.Name -eq 'Parameter' }).Count -gt 0 }).Count -gt 0
        $names = foreach ($parameter in $parameters) {
            $parameter.Name.VariablePath.UserPath
            foreach ($alias in @($parameter.Attributes | Where-Object { $_.TypeName.Name -eq 'Alias' })) { $alias.PositionalArguments.Value }
        }
        $clashes = @(if ($advanced) { $names | Where-Object { $script:reserved -contains $_ } })
        $clashes | Should -BeNullOrEmpty
    }
}
