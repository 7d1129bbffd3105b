/**
 * The start every PowerShell probe shares. A probe prints ONE compact JSON document: for each
 * section either `{ "data": [ ... ] }` (always an array, even for one item) or `{ "error": { ... } }`
 * with enough detail (exception type, HRESULT, error category, error id, CIM native error code) for
 * the parser to tell "not there" from "access denied" from "failed".
 */
const POWERSHELL_PRELUDE = String.raw`
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
# UTF-8 for whatever PowerShell prints itself (its errors); the document is written as UTF-8 bytes
# by Write-ProbeDocument anyway, so a process without a console, which cannot set this, loses nothing.
try { [Console]::OutputEncoding = [Text.Encoding]::UTF8 } catch { }
# Windows PowerShell 5.1 can serialise an array as {"value":[...],"Count":n}; this type data causes it.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue

# What stopped a section.
function Get-ErrorInfo($record) {
  $exception = $record.Exception
  $info = [ordered]@{
    type = $exception.GetType().FullName
    hresult = $exception.HResult
    category = [string]$record.CategoryInfo.Category
    id = [string]$record.FullyQualifiedErrorId
    message = $exception.Message
  }
  if ($exception.PSObject.Properties['NativeErrorCode']) { $info.native = [string]$exception.NativeErrorCode }
  $info
}

# Runs one section: its items as an array, or the error that stopped it.
function Invoke-Section([scriptblock]$read) {
  try { @{ data = @(& $read) } } catch { @{ error = (Get-ErrorInfo $_) } }
}

# An enum or number as a plain number; $null stays $null (a cast would make it 0).
function ConvertTo-Number($value) {
  if ($null -eq $value -or '' -eq $value) { $null } else { [long]$value }
}

# Prints the document as one compact JSON line in UTF-8 bytes, straight to standard output, so the
# encoding holds even where the console's could not be set.
function Write-ProbeDocument($document) {
  $json = $document | ConvertTo-Json -Compress -Depth 5
  $bytes = (New-Object System.Text.UTF8Encoding $false).GetBytes($json + [Environment]::NewLine)
  $stdout = [Console]::OpenStandardOutput()
  $stdout.Write($bytes, 0, $bytes.Length)
  $stdout.Flush()
}

# A date as UTC ISO 8601 whatever the user's culture and calendar; $null stays $null.
function ConvertTo-IsoDate($value) {
  if ($null -eq $value) { $null } else {
    ([datetime]$value).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
  }
}
`;

/** A probe: the shared prelude followed by the probe's own sections and its Write-ProbeDocument line. */
export function powerShellProbe(body: string): string {
  return `${POWERSHELL_PRELUDE}\n${body.trim()}\n`;
}
