# Windows PowerShell 5.1 guard: finds, in the given scripts, what the hosts' and guests'
# powershell.exe 5.1 on .NET Framework 4.8 would reject or run differently, although the pwsh 7
# the tests run in accepts it. It reads the scripts with PowerShell's own parser and matches the
# syntax tree against the curated list (ps51-incompatible.json: one rule per construct, each with
# its source), then applies the list's reviewed exceptions.
#
#   pwsh -File ps51-guard.ps1 -ListPath <json> -Root <folder> <file relative to Root>...
#
# Standard output is one JSON object: findings (not excepted), excepted, staleExceptions (an
# exception that matched nothing) and files (what was checked). This tool runs in pwsh 7 only.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string] $ListPath,
    [Parameter(Mandatory = $true)][string] $Root,
    [Parameter(ValueFromRemainingArguments = $true)][string[]] $Files
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$L = [System.Management.Automation.Language.Ast].Namespace + '.'

$list = [System.IO.File]::ReadAllText($ListPath) | ConvertFrom-Json
$exceptions = @($list.exceptions)
function Test-Prop($Object, [string] $Name) { $null -ne $Object.PSObject.Properties[$Name] }
# A rule names one thing (`command`) or several (`commands`); both read as a list.
function Get-Names($Rule, [string] $One) {
    if (Test-Prop $Rule ($One + 's')) { @($Rule.($One + 's')) } elseif (Test-Prop $Rule $One) { @($Rule.$One) } else { @() }
}
$byKind = @{}
$syntax = @{}
$ruleTypes = @{}
$index = @{}   # 'command:Name', 'staticMember:Name', 'instanceMember:Name', 'variable:Name' -> rules
function Add-Index([string] $Key, $Rule) {
    if (-not $index.ContainsKey($Key)) { $index[$Key] = [System.Collections.Generic.List[object]]::new() }
    $index[$Key].Add($Rule)
}
foreach ($rule in $list.rules) {
    if (-not $byKind.ContainsKey($rule.kind)) { $byKind[$rule.kind] = [System.Collections.Generic.List[object]]::new() }
    $byKind[$rule.kind].Add($rule)
    if ($rule.kind -eq 'syntax') { $syntax[$rule.construct] = $rule }
    # All listed types exist in the .NET that pwsh 7 runs on: resolve them once, for inheritance.
    if (Test-Prop $rule 'type') { $ruleTypes[$rule.type] = ($rule.type -as [type]) }
    foreach ($name in (Get-Names $rule 'command')) { Add-Index ('command:' + $name) $rule }
    foreach ($name in (Get-Names $rule 'member')) { Add-Index ($rule.kind + ':' + $name) $rule }
    foreach ($name in (Get-Names $rule 'variable')) { Add-Index ('variable:' + $name) $rule }
}
function Get-Rules([string] $Kind) { if ($byKind.ContainsKey($Kind)) { $byKind[$Kind] } else { @() } }
function Get-Indexed([string] $Key) { if ($index.ContainsKey($Key)) { $index[$Key] } else { @() } }
$aliases = @{}
foreach ($alias in (Get-Alias)) { $aliases[$alias.Name] = $alias.Definition }
# 5.1's own aliases that pwsh on Linux lacks (cat, sc, curl...), as the list gives them.
foreach ($alias in $(if (Test-Prop $list 'windowsAliases') { $list.windowsAliases.PSObject.Properties })) { if ($alias.Name -ne '$comment' -and -not $aliases.ContainsKey($alias.Name)) { $aliases[$alias.Name] = $alias.Value } }

function Get-LineText([string[]] $Lines, [int] $Line) { if ($Line -ge 1 -and $Line -le $Lines.Count) { $Lines[$Line - 1].Trim() } else { '' } }
function Get-FirstLine([string] $Text) {
    $first = ($Text -split "\r?\n")[0]
    if ($first.Length -gt 120) { $first.Substring(0, 120) + '...' } else { $first }
}

# Every simple type name inside a type name: element types of arrays, generic arguments.
function Get-SimpleTypeNames($TypeName) {
    if ($TypeName -is [System.Management.Automation.Language.ArrayTypeName]) { return Get-SimpleTypeNames $TypeName.ElementType }
    if ($TypeName -is [System.Management.Automation.Language.GenericTypeName]) {
        Get-SimpleTypeNames $TypeName.TypeName
        foreach ($argument in $TypeName.GenericArguments) { Get-SimpleTypeNames $argument }
        return
    }
    $TypeName
}
# The type a name resolves to here (PowerShell applies accelerators, 'System.' and `using
# namespace` itself), or only the written name when this .NET lacks the type.
function Resolve-TypeName($TypeName) {
    $resolved = $null
    try { $resolved = $TypeName.GetReflectionType() } catch { $resolved = $null }
    if ($null -ne $resolved) { return [pscustomobject]@{ Name = $resolved.FullName; Type = $resolved } }
    [pscustomobject]@{ Name = $TypeName.FullName; Type = $null }
}
function Test-TypeRule($Rule, $Resolved) {
    $written = @($Resolved.Name)
    if ($null -eq $Resolved.Type) { $written += @('System.' + $Resolved.Name) + @(foreach ($ns in $namespaces) { $ns + '.' + $Resolved.Name }) }
    if (Test-Prop $Rule 'namespace') { return [bool]@($written -like ($Rule.namespace + '.*')).Count }
    $written -contains $Rule.type
}
# A static member belongs to the rule's type when written on it or on a type derived from it
# (PowerShell finds inherited static members, e.g. [RNGCryptoServiceProvider]::Fill).
function Test-StaticOwner($Rule, $Resolved) {
    $ruleType = $ruleTypes[$Rule.type]
    if ($null -ne $Resolved.Type -and $null -ne $ruleType) { return $ruleType.IsAssignableFrom($Resolved.Type) }
    Test-TypeRule $Rule $Resolved
}
# Type rules matching a written type name, cached per name and file (the `using namespace`
# statements take part in resolving it).
$typeRuleCache = @{}
function Add-TypeFindings($TypeName, $Extent) {
    foreach ($simple in (Get-SimpleTypeNames $TypeName)) {
        $key = $simple.FullName + '|' + ($namespaces -join ',')
        if (-not $typeRuleCache.ContainsKey($key)) {
            $resolved = Resolve-TypeName $simple
            $typeRuleCache[$key] = @(foreach ($rule in (Get-Rules 'type')) { if (Test-TypeRule $rule $resolved) { $rule } })
        }
        foreach ($rule in $typeRuleCache[$key]) {
            if (-not ((Test-Prop $rule 'unlessAssembly') -and $loadedAssemblies -contains $rule.unlessAssembly)) { Add-Finding $rule $Extent }
        }
    }
}

# Hashtable keys a splatted variable statically carries: `$v = @{ Key = ... }` (also
# [ordered]), `$v.Key = ...`, `$v['Key'] = ...` and `$v.Add('Key', ...)` in the function or
# script around the call. Keys set otherwise stay invisible: the rules see what a reader sees.
function Get-SplatKeys($Node, [string] $Name) {
    $scope = $Node.Parent
    while ($null -ne $scope -and $scope -isnot [System.Management.Automation.Language.ScriptBlockAst]) { $scope = $scope.Parent }
    $isVar = { param($n) $n -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.VariablePath.UserPath -eq $Name }
    $isText = { param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] }
    foreach ($assignment in $scope.FindAll({ $args[0] -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
        $left = $assignment.Left
        if ($left -is [System.Management.Automation.Language.ConvertExpressionAst]) { $left = $left.Child }
        if (& $isVar $left) {
            $value = $assignment.Right
            if ($value -is [System.Management.Automation.Language.PipelineAst] -and $value.PipelineElements.Count -eq 1) { $value = $value.PipelineElements[0] }
            if ($value -is [System.Management.Automation.Language.CommandExpressionAst]) { $value = $value.Expression }
            if ($value -is [System.Management.Automation.Language.ConvertExpressionAst]) { $value = $value.Child }
            if ($value -is [System.Management.Automation.Language.HashtableAst]) {
                foreach ($pair in $value.KeyValuePairs) { if (& $isText $pair.Item1) { [pscustomobject]@{ Key = $pair.Item1.Value; Ast = $pair.Item1 } } }
            }
        }
        elseif ($left -is [System.Management.Automation.Language.MemberExpressionAst] -and (& $isVar $left.Expression) -and (& $isText $left.Member)) {
            [pscustomobject]@{ Key = $left.Member.Value; Ast = $left }
        }
        elseif ($left -is [System.Management.Automation.Language.IndexExpressionAst] -and (& $isVar $left.Target) -and (& $isText $left.Index)) {
            [pscustomobject]@{ Key = $left.Index.Value; Ast = $left }
        }
    }
    foreach ($call in $scope.FindAll({ $args[0] -is [System.Management.Automation.Language.InvokeMemberExpressionAst] }, $true)) {
        if ((& $isVar $call.Expression) -and (& $isText $call.Member) -and $call.Member.Value -eq 'Add' -and $null -ne $call.Arguments -and (& $isText $call.Arguments[0])) {
            [pscustomobject]@{ Key = $call.Arguments[0].Value; Ast = $call }
        }
    }
}

# The parameters a command uses: as PowerShell binds them with pwsh 7's metadata (prefixes,
# aliases, positions), then the keys of splatted hashtables.
function Get-UsedParameters($Node, [string] $Name, $Info) {
    $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Node, $true)
    foreach ($parameterName in $binding.BoundParameters.Keys) {
        $bound = $binding.BoundParameters[$parameterName]
        # Value is the argument's syntax (the -Switch itself for a switch); Parameter is metadata.
        $at = if ($null -ne $bound.Value) { $bound.Value } else { $Node }
        [pscustomobject]@{ Name = $parameterName; Ast = $at; Value = $bound.ConstantValue; Detail = $null }
    }
    foreach ($element in $Node.CommandElements) {
        if ($element -isnot [System.Management.Automation.Language.VariableExpressionAst] -or -not $element.Splatted) { continue }
        foreach ($key in (Get-SplatKeys $Node $element.VariablePath.UserPath)) {
            $parameterName = $key.Key
            if ($null -ne $Info) { try { $parameterName = $Info.ResolveParameter($key.Key).Name } catch { $parameterName = $key.Key } }
            [pscustomobject]@{ Name = $parameterName; Ast = $key.Ast; Value = $null; Detail = ('{0} @{1} [{2}]' -f $Name, $element.VariablePath.UserPath, $key.Key) }
        }
    }
}

function Test-CommandAst($Node) {
    $name = $Node.GetCommandName()
    if ($null -eq $name) { return }
    $name = ($name -split '\\')[-1]
    if ($localFunctions -contains $name) { return }
    $command = if ($aliases.ContainsKey($name)) { $aliases[$name] } else { $name }
    # Only commands a rule names are bound: binding an unknown command makes PowerShell search
    # every module and the PATH for it, which is slow.
    $rules = @(Get-Indexed ('command:' + $command))
    if ($rules.Count -eq 0 -and $command -ne 'New-Object') { return }
    foreach ($rule in $rules) { if ($rule.kind -eq 'command') { Add-Finding $rule $Node.Extent } }
    if (-not $commandInfo.ContainsKey($command)) { $commandInfo[$command] = Get-Command -Name $command -ErrorAction Ignore | Select-Object -First 1 }
    foreach ($use in (Get-UsedParameters $Node $name $commandInfo[$command])) {
        if ($command -eq 'New-Object' -and $use.Name -eq 'TypeName' -and $use.Value -is [string]) {
            Add-TypeFindings ([System.Management.Automation.Language.TypeName]::new($use.Ast.Extent, $use.Value)) $use.Ast.Extent
        }
        foreach ($rule in $rules) {
            if ($rule.kind -eq 'parameter' -and (Get-Names $rule 'parameter') -contains $use.Name) { Add-Finding $rule $use.Ast.Extent $use.Detail }
            # Only a constant value is visible; `allowedValues` lists all that 5.1 accepts.
            if ($rule.kind -eq 'parameterValue' -and $rule.parameter -eq $use.Name -and $use.Value -is [string] -and @($rule.allowedValues) -notcontains $use.Value) {
                Add-Finding $rule $use.Ast.Extent $use.Detail
            }
        }
    }
}

function Test-MemberAst($Node) {
    if ($Node.NullConditional -and $syntax.ContainsKey('nullConditionalMember')) { Add-Finding $syntax['nullConditionalMember'] $Node.Extent }
    $invoke = $Node -is [System.Management.Automation.Language.InvokeMemberExpressionAst]
    if ($invoke -and $null -ne $Node.GenericTypeArguments -and $Node.GenericTypeArguments.Count -gt 0 -and $syntax.ContainsKey('genericMethodCall')) {
        Add-Finding $syntax['genericMethodCall'] $Node.Extent
    }
    if ($Node.Member -isnot [System.Management.Automation.Language.StringConstantExpressionAst]) { return }
    $member = $Node.Member.Value
    $arguments = @(if ($invoke -and $null -ne $Node.Arguments) { $Node.Arguments })
    if ($Node.Static -and $Node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
        $owner = Resolve-TypeName $Node.Expression.TypeName
        foreach ($rule in (Get-Indexed ('staticMember:' + $member))) {
            if ((Test-Prop $rule 'argumentCount') -and $arguments.Count -ne $rule.argumentCount) { continue }
            if (Test-StaticOwner $rule $owner) { Add-Finding $rule $Node.Extent }
        }
    }
    elseif (-not $Node.Static) {
        # The receiver's type is unknown statically: instance rules name distinctive members,
        # or pin an overload by its arguments.
        foreach ($rule in (Get-Indexed ('instanceMember:' + $member))) {
            if ((Test-Prop $rule 'argumentCount') -and $arguments.Count -ne $rule.argumentCount) { continue }
            if ((Test-Prop $rule 'argumentPattern') -and ((@($arguments | ForEach-Object { $_.Extent.Text }) -join ', ') -notmatch $rule.argumentPattern)) { continue }
            Add-Finding $rule $Node.Extent
        }
    }
}

function Test-Tokens($Tokens, [bool] $HasBom) {
    foreach ($token in $Tokens) {
        if (-not $HasBom -and $token.Kind -ne 'Comment' -and $token.Text -match '[^\x00-\x7F]') { Add-Syntax 'nonAsciiWithoutBom' $token.Extent }
        if ($token.Kind -eq 'Number') {
            if ($token.Text -match '^0b[01]') { Add-Syntax 'binaryLiteral' $token.Extent }
            elseif ($token.Text -notmatch '^0x' -and $token.Text -match '(?:u|y|s|n|ul|uy|us)(?:kb|mb|gb|tb|pb)?$') { Add-Syntax 'numericSuffix' $token.Extent }
        }
        if ($token.Kind -notin 'StringExpandable', 'HereStringExpandable') { continue }
        # Backtick pairs read left to right, so ``e is a literal backtick then 'e'.
        for ($i = 0; $i -lt $token.Text.Length - 1; $i++) {
            if ($token.Text[$i] -ne '`') { continue }
            $next = $token.Text.Substring($i + 1, [Math]::Min(2, $token.Text.Length - $i - 1))
            if ($next -eq 'u{') { Add-Syntax 'unicodeEscape' $token.Extent '`u{' }
            elseif ($next[0] -ceq 'e') { Add-Syntax 'escapeCharacter' $token.Extent '`e' }
            $i++
        }
    }
}

$findings = [System.Collections.Generic.List[object]]::new()
$commandInfo = @{}
function Add-Finding($Rule, $Extent, [string] $Detail) {
    $findings.Add([pscustomobject][ordered]@{
            file = $relative; line = $Extent.StartLineNumber; column = $Extent.StartColumnNumber; rule = $Rule.id
            text = (Get-LineText $lines $Extent.StartLineNumber); construct = $(if ($Detail) { $Detail } else { Get-FirstLine $Extent.Text })
            why = $Rule.why; source = $Rule.source
        })
}
function Add-Syntax([string] $Construct, $Extent, [string] $Detail) { if ($syntax.ContainsKey($Construct)) { Add-Finding $syntax[$Construct] $Extent $Detail } }

foreach ($file in $Files) {
    $path = [System.IO.Path]::GetFullPath((Join-Path $Root $file))
    $relative = $file -replace '\\', '/'
    $bytes = [System.IO.File]::ReadAllBytes($path)
    $lines = [System.Text.Encoding]::UTF8.GetString($bytes).TrimStart([char]0xFEFF) -split "\r?\n"
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$tokens, [ref]$errors)
    foreach ($parseError in $errors) { Add-Syntax 'parseError' $parseError.Extent $parseError.Message }
    $hasBom = ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF) -or
        ($bytes.Length -ge 2 -and (($bytes[0] -eq 0xFF -and $bytes[1] -eq 0xFE) -or ($bytes[0] -eq 0xFE -and $bytes[1] -eq 0xFF)))
    Test-Tokens $tokens $hasBom

    $nodes = @($ast.FindAll({ $true }, $true))
    $namespaces = @($ast.UsingStatements | Where-Object { $_.UsingStatementKind -eq 'Namespace' } | ForEach-Object { $_.Name.Value })
    $localFunctions = @($nodes.Where({ $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] }) | ForEach-Object { $_.Name })
    $loadedAssemblies = @(foreach ($node in $nodes) {
            if ($node -is [System.Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Add-Type') {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($node, $true)
                # -AssemblyName A or -AssemblyName A, B: the names written as constants.
                if ($binding.BoundParameters.ContainsKey('AssemblyName')) {
                    $value = $binding.BoundParameters['AssemblyName'].Value
                    @(if ($value -is [System.Management.Automation.Language.ArrayLiteralAst]) { $value.Elements } else { $value }) |
                        Where-Object { $_ -is [System.Management.Automation.Language.StringConstantExpressionAst] } | ForEach-Object { $_.Value }
                }
            }
        })
    foreach ($node in $nodes) {
        switch ($node.GetType().FullName.Substring($L.Length)) {
            'TernaryExpressionAst' { Add-Syntax 'ternary' $node.Extent }
            'PipelineChainAst' { Add-Syntax 'pipelineChain' $node.Extent }
            'PipelineAst' { if ($node.Background) { Add-Syntax 'backgroundOperator' $node.Extent } }
            'BinaryExpressionAst' {
                if ($node.Operator -eq 'QuestionQuestion') { Add-Syntax 'nullCoalescing' $node.Extent }
                $isChar = { param($side) $side -is [System.Management.Automation.Language.StringConstantExpressionAst] -and $side.Value.Length -eq 1 -and $side.Value -notmatch '^\d$' }
                if ($node.Operator -eq 'DotDot' -and ((& $isChar $node.Left) -or (& $isChar $node.Right))) { Add-Syntax 'charRange' $node.Extent }
            }
            'AssignmentStatementAst' { if ($node.Operator -eq 'QuestionQuestionEquals') { Add-Syntax 'nullCoalescingAssignment' $node.Extent } }
            'IndexExpressionAst' { if ($node.NullConditional) { Add-Syntax 'nullConditionalIndex' $node.Extent } }
            'ScriptBlockAst' { if ($null -ne $node.CleanBlock) { Add-Syntax 'cleanBlock' $node.CleanBlock.Extent } }
            'MemberExpressionAst' { Test-MemberAst $node }
            'InvokeMemberExpressionAst' { Test-MemberAst $node }
            'VariableExpressionAst' {
                foreach ($rule in (Get-Indexed ('variable:' + $node.VariablePath.UserPath))) { Add-Finding $rule $node.Extent }
            }
            'TypeExpressionAst' { Add-TypeFindings $node.TypeName $node.Extent }
            'TypeConstraintAst' { Add-TypeFindings $node.TypeName $node.Extent }
            'CommandAst' { Test-CommandAst $node }
        }
    }
}

# A reviewed exception names the file, the rule and the exact (trimmed) line; one that matches
# no finding is reported stale, so the list cannot outlive the code it excuses.
$open = [System.Collections.Generic.List[object]]::new()
$excepted = [System.Collections.Generic.List[object]]::new()
$matched = @{}
foreach ($finding in $findings) {
    $index = -1
    for ($i = 0; $i -lt $exceptions.Count; $i++) {
        $e = $exceptions[$i]
        if ($e.file -eq $finding.file -and $e.rule -eq $finding.rule -and $e.text -eq $finding.text) { $index = $i; break }
    }
    if ($index -lt 0) { $open.Add($finding) } else { $matched[$index] = $true; $excepted.Add($finding) }
}
$stale = @(for ($i = 0; $i -lt $exceptions.Count; $i++) { if (-not $matched.ContainsKey($i)) { $exceptions[$i] } })
$result = [ordered]@{ files = @($Files | ForEach-Object { $_ -replace '\\', '/' }); findings = @($open); excepted = @($excepted); staleExceptions = $stale }
[Console]::Out.Write((ConvertTo-Json -InputObject $result -Depth 6 -Compress))
