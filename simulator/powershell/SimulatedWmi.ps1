# The one Windows-only piece of the agent that PowerShell on Linux lacks: System.Management
# (WMI through .NET, root\virtualization\v2), which AetherV.Kvp.ps1 uses for KVP. On a simulated
# host the four functions of AetherV.Kvp.ps1 that touch it -- and only those, the same ones the
# Pester tests replace -- are answered through the CIM stubs (Get-CimInstance, Invoke-CimMethod),
# which the simulator serves from its model. Everything else of the agent runs as written.
# Dot-sourced by Enter-SimulatedHost.ps1; the script files themselves are never changed.

$aethervSimWmi = @{
    'Get-AgentMsvmObject'     = {
        param([Parameter(Mandatory = $true)] [string] $Query)
        # ManagementObjects answer both $o.Name and $o['Name']: hashtables do too.
        foreach ($instance in @(CimCmdlets\Get-CimInstance -Namespace 'root/virtualization/v2' -Query $Query -ErrorAction Stop)) {
            $table = @{}
            foreach ($p in $instance.PSObject.Properties) { $table[$p.Name] = $p.Value }
            if ($table.ContainsKey('CreationClassName')) {
                $table['Path'] = @{ Path = "\\$($env:COMPUTERNAME)\root\virtualization\v2:$($table['CreationClassName']).CreationClassName=`"$($table['CreationClassName'])`",Name=`"$($table['Name'])`"" }
            }
            $table
        }
    }
    'Get-AgentKvpHostItemKey' = {
        param([Parameter(Mandatory = $true)] [object] $ComputerSystem)
        $keys = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::Ordinal)
        $filter = "InstanceID = 'Microsoft:$($ComputerSystem['Name'])\KVP'"
        foreach ($settings in @(CimCmdlets\Get-CimInstance -Namespace 'root/virtualization/v2' -ClassName 'Msvm_KvpExchangeComponentSettingData' -Filter $filter -ErrorAction Stop)) {
            foreach ($itemXml in @($settings.HostExchangeItems)) {
                $item = ConvertFrom-AgentKvpItemXml -Xml ([string]$itemXml)
                if ($null -ne $item) { $null = $keys.Add($item.Name) }
            }
        }
        return , $keys
    }
    'New-AgentKvpItemText'    = {
        param([Parameter(Mandatory = $true)] [string] $Key, [AllowEmptyString()] [string] $Value = '')
        # What ManagementBaseObject.GetText(CimDtd20) writes for an Msvm_KvpExchangeDataItem.
        $e = { param($s) [System.Security.SecurityElement]::Escape($s) }
        return "<INSTANCE CLASSNAME=`"Msvm_KvpExchangeDataItem`"><PROPERTY NAME=`"Data`" TYPE=`"string`"><VALUE>$(& $e $Value)</VALUE></PROPERTY><PROPERTY NAME=`"Name`" TYPE=`"string`"><VALUE>$(& $e $Key)</VALUE></PROPERTY><PROPERTY NAME=`"Source`" TYPE=`"uint16`"><VALUE>0</VALUE></PROPERTY></INSTANCE>"
    }
    'Invoke-AgentMsvmMethod'  = {
        param(
            [Parameter(Mandatory = $true)] [object] $Context,
            [Parameter(Mandatory = $true)] [object] $Target,
            [Parameter(Mandatory = $true)] [string] $Method,
            [Parameter(Mandatory = $true)] [hashtable] $Arguments,
            [Parameter(Mandatory = $true)] [string] $Description
        )
        $out = CimCmdlets\Invoke-CimMethod -Namespace 'root/virtualization/v2' -ClassName 'Msvm_VirtualSystemManagementService' -MethodName $Method -Arguments $Arguments -ErrorAction Stop
        $returnValue = [int]$out.ReturnValue
        if ($returnValue -ne 0) {
            throw (New-AgentError -Code (Get-AgentMsvmErrorCode -Value $returnValue) -Message "$Description failed (return value $returnValue).")
        }
    }
}

$ExecutionContext.InvokeCommand.PreCommandLookupAction = {
    param([string] $Name, [System.Management.Automation.CommandLookupEventArgs] $EventArgs)
    $replacement = $aethervSimWmi[$Name]
    if ($null -ne $replacement) {
        $EventArgs.CommandScriptBlock = $replacement
        $EventArgs.StopSearch = $true
    }
}.GetNewClosure()
Remove-Variable -Name 'aethervSimWmi'
