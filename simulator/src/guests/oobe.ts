/**
 * Whether Windows Server's OOBE (oobeSystem pass) completes unattended with a given answer file,
 * or the page it would stop on. The rule is what docs/provisioning.md ("Unattended OOBE")
 * documents as required, from Microsoft's unattend reference:
 * - the region, language and keyboard page is answered only by Microsoft-Windows-International-Core
 *   with InputLocale, SystemLocale, UILanguage and UserLocale
 *   https://learn.microsoft.com/windows-hardware/customize/desktop/unattend/microsoft-windows-international-core
 * - the built-in Administrator's password page only by Microsoft-Windows-Shell-Setup |
 *   UserAccounts | AdministratorPassword (a Value); the Hide* flags suppress neither page
 *   https://learn.microsoft.com/windows-hardware/customize/desktop/unattend/microsoft-windows-shell-setup-useraccounts-administratorpassword
 * - the license terms page by OOBE | HideEULAPage = true, which Windows/unattend.xml relies on
 *   https://learn.microsoft.com/windows-hardware/customize/desktop/unattend/microsoft-windows-shell-setup-oobe-hideeulapage
 * SkipMachineOOBE is deprecated and not honoured as a way around these pages.
 * A regular-expression reading of the XML, enough for answer files written as Windows/ writes them.
 */

const LOCALE_SETTINGS = ['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'] as const;

/** null when OOBE completes unattended, else the page it stops on. */
export function oobeStopsAt(unattendXml: string): string | null {
  const xml = unattendXml.replace(/<!--[\s\S]*?-->/g, '');
  const pass = /<settings\b[^>]*\bpass\s*=\s*"oobeSystem"[^>]*>([\s\S]*?)<\/settings>/.exec(xml)?.[1] ?? '';
  const international = component(pass, 'Microsoft-Windows-International-Core');
  if (LOCALE_SETTINGS.some((name) => element(international, name) === '')) return 'region-and-keyboard';
  const shell = component(pass, 'Microsoft-Windows-Shell-Setup');
  const password = element(element(shell, 'UserAccounts'), 'AdministratorPassword');
  if (element(password, 'Value') === '') return 'administrator-password';
  if (element(element(shell, 'OOBE'), 'HideEULAPage').toLowerCase() !== 'true') return 'license-terms';
  return null;
}

function component(pass: string, name: string): string {
  const re = new RegExp(`<component\\b[^>]*\\bname\\s*=\\s*"${name}"[^>]*>([\\s\\S]*?)</component>`);
  return re.exec(pass)?.[1] ?? '';
}

/** The trimmed text of the first element of that name, '' when absent or empty. */
function element(xml: string, name: string): string {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`);
  return (re.exec(xml)?.[1] ?? '').trim();
}
