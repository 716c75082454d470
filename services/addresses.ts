/** Email address handling shared by the machine (pure) and the mail adapters. */

/** The bare lower-cased address of a From header ("Maya <Maya@x.com>" -> "maya@x.com"). */
export function addressOf(header: string): string {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(header);
  return (angle ? angle[1] : header).trim().toLowerCase();
}
