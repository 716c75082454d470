/** Known talent-agency domains (domain.md §4.2): an influencer emailing from one is represented by it. */
const AGENCY_DOMAINS: Record<string, string> = {
  'unitedtalent.com': 'United Talent Agency',
  'wmgagent.com': 'William Morris Endeavor',
  'caa.com': 'Creative Artists Agency',
  'icmpartners.com': 'ICM Partners',
  'paradigmagency.com': 'Paradigm Talent Agency',
  'gersh.com': 'The Gersh Agency',
  'apa-agency.com': 'APA Agency',
  'abrams-artists.com': 'Abrams Artists Agency',
  'buchwald.com': 'Buchwald Agency',
  'innovative-artists.com': 'Innovative Artists',
  'dfrental.com': 'DFR Entertainment',
  'selectmanagement.com': 'Select Management Group',
  'digitaltalentagents.com': 'Digital Talent Agents',
};

export function agencyForEmail(email: string): string | null {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  return AGENCY_DOMAINS[domain] ?? null;
}
