# kvp.get: guest -> host KVP items (Msvm_KvpExchangeComponent.GuestExchangeItems of the VM,
# found by GUID). The orchestrator polls it to wait for the guest's public key and states.

function Invoke-KvpGet {
    param([hashtable] $Params, [object] $Context)
    Assert-AgentParam -Params $Params -Name 'vmId'
    $vm = Get-AetherVm -Id $Params['vmId']
    $all = Get-AgentKvpGuestItem -VmId $vm.Id
    $items = [ordered]@{}
    # The indexer, not $Params.keys: on a hashtable that would be its own Keys collection.
    if ($null -eq $Params['keys']) {
        $items = $all
    } else {
        foreach ($key in @($Params['keys'])) {
            if ($all.Contains([string]$key)) {
                $items[[string]$key] = $all[[string]$key]
            }
        }
    }
    return [ordered]@{ vmId = $vm.Id.ToString(); state = (ConvertTo-AgentVmState -State $vm.State); items = $items }
}
