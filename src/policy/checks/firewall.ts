import { defineCheck, unknownOutcome } from './check.js';

export const firewallEnabled = defineCheck({
  type: 'firewall.enabled',
  title: 'The firewall is on',
  signal: 'firewall',
  params: (z) => z.strictObject({}).optional(),
  evaluate(report) {
    const { status, products } = report.firewall;
    const names = (enabled: boolean) =>
      products.filter((product) => product.enabled === enabled).map((product) => product.name).join(', ');
    if (status === 'enabled') return { status: 'pass', reason: `Firewall on: ${names(true) || 'yes'}.` };
    if (status === 'disabled') return { status: 'fail', reason: `Firewall off: ${names(false) || 'no firewall is filtering'}.` };
    return unknownOutcome(report, 'firewall', 'whether the firewall is on');
  },
  remediation: {
    win32: 'Turn on Windows Firewall for every network: Settings > Privacy & security > Windows Security > Firewall & network protection.',
    darwin: 'Turn on the firewall: System Settings > Network > Firewall.',
    linux: 'Turn on the firewall: run "sudo ufw enable" (Ubuntu/Debian) or "sudo systemctl enable --now firewalld" (Fedora/RHEL).',
  },
});
