# On Linux there is no registry. AetherV.Kvp reaches it through one accessor, Open-KvpKey, which
# returns a Microsoft.Win32.RegistryKey; tests replace only that function (Mock -ModuleName
# AetherV.Kvp Open-KvpKey) with the keys made here. They offer exactly the RegistryKey members
# the module uses - GetValue(name, default, options), SetValue(name, value, kind),
# DeleteValue(name, throwOnMissing), Dispose() - over values kept in a dictionary, or in a JSON
# file when another process (the orchestrator's side of a test) must see them too.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Read-FakeRegistryFile([string]$File) {
    $values = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    if ([System.IO.File]::Exists($File)) {
        $document = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($File))
        foreach ($property in $document.PSObject.Properties) {
            $values[$property.Name] = [string]$property.Value
        }
    }
    return , $values
}

function Write-FakeRegistryFile([string]$File, $Values) {
    # Written aside and moved over, so a reader never sees half a file.
    $temporary = '{0}.{1}.tmp' -f $File, [guid]::NewGuid()
    [System.IO.File]::WriteAllText($temporary, (ConvertTo-Json -InputObject ([hashtable]::new($Values)) -Compress))
    [System.IO.File]::Move($temporary, $File, $true)
}

# A key over $Values (registry value names are case-insensitive, so should the dictionary be),
# or over the JSON file $File. Kinds records the RegistryValueKind of every SetValue.
function New-FakeRegistryKey {
    param(
        [System.Collections.IDictionary]$Values,
        [string]$File
    )
    $key = [pscustomobject]@{
        Values   = $Values
        File     = $File
        Kinds    = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
        Disposed = 0
    }
    $key | Add-Member -MemberType ScriptMethod -Name Load -Value {
        if ($this.File) { return , (Read-FakeRegistryFile -File $this.File) }
        return , $this.Values
    }
    $key | Add-Member -MemberType ScriptMethod -Name GetValue -Value {
        param([string]$Name, $Default, [Microsoft.Win32.RegistryValueOptions]$Options)
        $values = $this.Load()
        if ($values.ContainsKey($Name)) { return $values[$Name] }
        return $Default
    }
    $key | Add-Member -MemberType ScriptMethod -Name SetValue -Value {
        param([string]$Name, $Value, [Microsoft.Win32.RegistryValueKind]$Kind)
        $values = $this.Load()
        $values[$Name] = $Value
        $this.Kinds[$Name] = $Kind
        if ($this.File) { Write-FakeRegistryFile -File $this.File -Values $values }
    }
    $key | Add-Member -MemberType ScriptMethod -Name DeleteValue -Value {
        param([string]$Name, [bool]$ThrowOnMissingValue)
        $values = $this.Load()
        if (-not $values.ContainsKey($Name)) {
            if ($ThrowOnMissingValue) { throw [System.ArgumentException]::new("no value $Name") }
            return
        }
        $values.Remove($Name)
        if ($this.File) { Write-FakeRegistryFile -File $this.File -Values $values }
    }
    $key | Add-Member -MemberType ScriptMethod -Name Dispose -Value { $this.Disposed++ }
    return $key
}

Export-ModuleMember -Function @('New-FakeRegistryKey')
