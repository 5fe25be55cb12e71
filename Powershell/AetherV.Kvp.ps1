# KVP exchange through the Hyper-V WMI provider (root\virtualization\v2), shared by
# PublishProvisioningData.ps1 (kvp.set / kvp.remove) and WaitForProvisioningKey.ps1 (kvp.get).
# The VM is found by its GUID (Msvm_ComputerSystem.Name), never by ElementName. Queries only
# ever embed a parsed [guid]; keys and values travel as properties of WMI objects.

Add-Type -AssemblyName 'System.Management'

$script:MsvmNamespace = 'root\virtualization\v2'
# Msvm_ConcreteJob.JobState values that mean "not finished yet".
$script:MsvmJobRunningStates = @(2, 3, 4, 5, 6, 11)

function Get-AgentMsvmObject {
    # The objects one WQL query finds, written to the pipeline one by one for the callers' @().
    # Not `return , @(...)`: @() would get that array as one item, so a query that found nothing
    # counted as one object (no VM_NOT_FOUND) and one that found a VM gave the whole collection.
    param([Parameter(Mandatory = $true)] [string] $Query)
    $searcher = [System.Management.ManagementObjectSearcher]::new($script:MsvmNamespace, $Query)
    try {
        foreach ($found in $searcher.Get()) {
            $found
        }
    } finally {
        $searcher.Dispose()
    }
}

function Get-AgentMsvmComputerSystem {
    param([Parameter(Mandatory = $true)] [guid] $VmId)
    $name = $VmId.ToString().ToUpperInvariant()
    $systems = @(Get-AgentMsvmObject -Query "SELECT * FROM Msvm_ComputerSystem WHERE Name = '$name'")
    if ($systems.Count -eq 0) {
        throw (New-AgentError -Code 'VM_NOT_FOUND' -Message "No virtual machine with id $VmId on this host.")
    }
    return $systems[0]
}

function Get-AgentMsvmManagementService {
    $services = @(Get-AgentMsvmObject -Query 'SELECT * FROM Msvm_VirtualSystemManagementService')
    if ($services.Count -eq 0) {
        throw (New-AgentError -Code 'HYPERV_UNAVAILABLE' -Message 'Msvm_VirtualSystemManagementService is not available (is vmms running?).')
    }
    return $services[0]
}

function Get-AgentMsvmErrorCode {
    # Msvm method return values / job error codes -> agent error codes.
    param([int] $Value)
    switch ($Value) {
        32769 { return 'ACCESS_DENIED' }
        32773 { return 'INVALID_PARAMS' }
        32774 { return 'HOST_BUSY' }
        32775 { return 'INVALID_STATE' }
        32777 { return 'HYPERV_UNAVAILABLE' }
        32779 { return 'PATH_NOT_FOUND' }
    }
    return 'INTERNAL'
}

function Wait-AgentMsvmJob {
    # AddKvpItems & co. answer 4096 and run as an Msvm_ConcreteJob: wait for it to complete,
    # within the deadline, and fail with the job's own error otherwise.
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [Parameter(Mandatory = $true)] [string] $JobPath,
        [Parameter(Mandatory = $true)] [string] $Description
    )
    $job = [System.Management.ManagementObject]::new($JobPath)
    $interval = 100
    while ($true) {
        $job.Get()
        $state = [int]$job['JobState']
        if ($state -eq 7) {
            return
        }
        if ($script:MsvmJobRunningStates -notcontains $state) {
            $errorCode = [int]$job['ErrorCode']
            $text = [string]$job['ErrorDescription']
            throw (New-AgentError -Code (Get-AgentMsvmErrorCode -Value $errorCode) -Message "$Description failed (job state $state, error $errorCode): $text")
        }
        if ((Get-AgentRemainingSeconds -Context $Context) -le 0) {
            throw (New-AgentError -Code 'DEADLINE_EXCEEDED' -Message "Deadline exceeded while waiting for $Description.")
        }
        Start-Sleep -Milliseconds $interval
        $interval = [math]::Min(1000, $interval * 2)
    }
}

function Invoke-AgentMsvmMethod {
    param(
        [Parameter(Mandatory = $true)] [object] $Context,
        [Parameter(Mandatory = $true)] [System.Management.ManagementObject] $Target,
        [Parameter(Mandatory = $true)] [string] $Method,
        [Parameter(Mandatory = $true)] [hashtable] $Arguments,
        [Parameter(Mandatory = $true)] [string] $Description
    )
    $inParams = $Target.GetMethodParameters($Method)
    foreach ($name in $Arguments.Keys) {
        $inParams[$name] = $Arguments[$name]
    }
    $outParams = $Target.InvokeMethod($Method, $inParams, $null)
    $returnValue = [int]$outParams['ReturnValue']
    if ($returnValue -eq 4096) {
        Wait-AgentMsvmJob -Context $Context -JobPath ([string]$outParams['Job']) -Description $Description
    } elseif ($returnValue -ne 0) {
        throw (New-AgentError -Code (Get-AgentMsvmErrorCode -Value $returnValue) -Message "$Description failed (return value $returnValue).")
    }
}

function ConvertFrom-AgentKvpItemXml {
    # One Msvm_KvpExchangeDataItem embedded instance (CIM-XML) -> @{ Name; Data }, or $null.
    # Parsed with DTDs and external resolution off: the Data text comes from the guest.
    param([AllowEmptyString()] [string] $Xml)
    if ([string]::IsNullOrWhiteSpace($Xml)) {
        return $null
    }
    $settings = [System.Xml.XmlReaderSettings]::new()
    $settings.DtdProcessing = [System.Xml.DtdProcessing]::Prohibit
    $settings.XmlResolver = $null
    $reader = [System.Xml.XmlReader]::Create([System.IO.StringReader]::new($Xml), $settings)
    try {
        $document = [System.Xml.XmlDocument]::new()
        $document.XmlResolver = $null
        $document.Load($reader)
    } catch {
        return $null
    } finally {
        $reader.Dispose()
    }
    $nameNode = $document.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
    $dataNode = $document.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
    if ($null -eq $nameNode) {
        return $null
    }
    $data = ''
    if ($null -ne $dataNode) {
        $data = $dataNode.InnerText
    }
    return [pscustomobject]@{ Name = $nameNode.InnerText; Data = $data }
}

function New-AgentKvpItemText {
    # One Msvm_KvpExchangeDataItem as the CIM-DTD 2.0 text the KVP methods take.
    param(
        [Parameter(Mandatory = $true)] [string] $Key,
        [AllowEmptyString()] [string] $Value = ''
    )
    $class = [System.Management.ManagementClass]::new($script:MsvmNamespace + ':Msvm_KvpExchangeDataItem')
    $item = $class.CreateInstance()
    $item['Name'] = $Key
    $item['Data'] = $Value
    # Source 0 = host -> guest (the guest's External pool).
    $item['Source'] = [uint16]0
    return $item.GetText([System.Management.TextFormat]::CimDtd20)
}

function Get-AgentKvpHostItemKey {
    # Names of the host -> guest items the VM holds now (HostExchangeItems of its realized settings).
    param([Parameter(Mandatory = $true)] [System.Management.ManagementObject] $ComputerSystem)
    $keys = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::Ordinal)
    foreach ($settings in @($ComputerSystem.GetRelated('Msvm_VirtualSystemSettingData'))) {
        if ([string]$settings['VirtualSystemType'] -ne 'Microsoft:Hyper-V:System:Realized') {
            continue
        }
        foreach ($kvpSettings in @($settings.GetRelated('Msvm_KvpExchangeComponentSettingData'))) {
            foreach ($itemXml in @($kvpSettings['HostExchangeItems'])) {
                $item = ConvertFrom-AgentKvpItemXml -Xml ([string]$itemXml)
                if ($null -ne $item) {
                    $null = $keys.Add($item.Name)
                }
            }
        }
    }
    return , $keys
}

function Get-AgentKvpGuestItem {
    # Guest -> host items (GuestExchangeItems) as an ordered name -> value map; empty while the
    # VM is off or its KVP daemon has not reported yet.
    param([Parameter(Mandatory = $true)] [guid] $VmId)
    $items = [ordered]@{}
    $name = $VmId.ToString().ToUpperInvariant()
    foreach ($component in @(Get-AgentMsvmObject -Query "SELECT * FROM Msvm_KvpExchangeComponent WHERE SystemName = '$name'")) {
        foreach ($itemXml in @($component['GuestExchangeItems'])) {
            $item = ConvertFrom-AgentKvpItemXml -Xml ([string]$itemXml)
            if ($null -ne $item) {
                $items[$item.Name] = $item.Data
            }
        }
    }
    return $items
}
