# kvp.set and kvp.remove: host -> guest KVP items (the guest's External pool) through
# Msvm_VirtualSystemManagementService AddKvpItems / ModifyKvpItems / RemoveKvpItems.
# Values are ciphertext or protocol markers (DESIGN section 5); they are never logged.

function Invoke-KvpSet {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'items'
    $vmId = ConvertTo-AgentGuid -Value $Params['vmId']
    $items = @($Params['items'])
    if ($items.Count -eq 0) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'items' must not be empty.")
    }
    foreach ($item in $items) {
        if ($item -isnot [hashtable] -or $item['key'] -isnot [string] -or $item['key'].Length -eq 0 -or $item['value'] -isnot [string]) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Each of 'items' needs a string key and a string value.")
        }
        # Hyper-V carries both as UTF-16 with a NUL terminator (Msvm_KvpExchangeDataItem: Name in
        # 512 bytes, Data MAXLEN(1024)); [string].Length counts UTF-16 code units, as AddKvpItems
        # does. Limits: Schemas/agent/common.json kvpKey/kvpValue. Checked for every item before
        # the first write, so a refused call changes nothing.
        if ($item['value'].Length -gt 1023 -or $item['key'].Length -gt 255) {
            throw (New-AgentError -Code 'INVALID_PARAMS' -Message "A KVP item exceeds Hyper-V's limits (255 UTF-16 code units for a key, 1,023 for a value).")
        }
    }
    $system = Get-AgentMsvmComputerSystem -VmId $vmId
    $service = Get-AgentMsvmManagementService
    $existing = Get-AgentKvpHostItemKey -ComputerSystem $system
    $written = [System.Collections.Generic.List[string]]::new()
    # One call per item, in the order given: the protocol relies on it (version first,
    # the state marker last).
    foreach ($item in $items) {
        Assert-AgentDeadline -Context $Context -Step "writing KVP item $($item['key'])"
        $text = New-AgentKvpItemText -Key $item['key'] -Value $item['value']
        $method = 'AddKvpItems'
        if ($existing.Contains($item['key'])) {
            $method = 'ModifyKvpItems'
        }
        Invoke-AgentMsvmMethod -Context $Context -Target $service -Method $method -Description "$method($($item['key']))" -Arguments @{
            TargetSystem = $system.Path.Path
            DataItems    = [string[]]@($text)
        }
        $null = $existing.Add($item['key'])
        $written.Add($item['key'])
    }
    Write-AgentLog -Level 'info' -Message "Wrote $($written.Count) KVP item(s) to VM $vmId."
    return [ordered]@{ vmId = $vmId.ToString(); keys = $written.ToArray() }
}

function Invoke-KvpRemove {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId', 'keys'
    $vmId = ConvertTo-AgentGuid -Value $Params['vmId']
    # The indexer, not $Params.keys: on a hashtable that would be its own Keys collection.
    $keys = @($Params['keys'] | ForEach-Object { [string]$_ })
    if ($keys.Count -eq 0) {
        throw (New-AgentError -Code 'INVALID_PARAMS' -Message "Parameter 'keys' must not be empty.")
    }
    $system = Get-AgentMsvmComputerSystem -VmId $vmId
    $service = Get-AgentMsvmManagementService
    $existing = Get-AgentKvpHostItemKey -ComputerSystem $system
    $removed = [System.Collections.Generic.List[string]]::new()
    $missing = [System.Collections.Generic.List[string]]::new()
    foreach ($key in $keys) {
        if (-not $existing.Contains($key)) {
            $missing.Add($key)
            continue
        }
        Assert-AgentDeadline -Context $Context -Step "removing KVP item $key"
        Invoke-AgentMsvmMethod -Context $Context -Target $service -Method 'RemoveKvpItems' -Description "RemoveKvpItems($key)" -Arguments @{
            TargetSystem = $system.Path.Path
            DataItems    = [string[]]@(New-AgentKvpItemText -Key $key)
        }
        $removed.Add($key)
    }
    return [ordered]@{ vmId = $vmId.ToString(); removed = $removed.ToArray(); missing = $missing.ToArray() }
}
