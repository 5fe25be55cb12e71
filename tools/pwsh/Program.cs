// The entry of PowerShell's own console host (what pwsh.exe runs): same command line, same
// handling of standard input and exit codes.
return Microsoft.PowerShell.UnmanagedPSEntry.Start(args, args.Length);
