/**
 * The commodities, declared once: every list of commodities in the code (the supply networks, the
 * street-supply interface, the outcomes) is this one, in this order.
 */

export const COMMODITIES = ['cocaine', 'fentanyl'] as const;
export type Commodity = (typeof COMMODITIES)[number];

/** How each commodity is counted (for labels and units). */
export const COMMODITY_INFO: Record<Commodity, { label: string; basis: string }> = {
  cocaine: { label: 'cocaine', basis: 'kg pure (UNODC 100%-pure basis)' },
  fentanyl: { label: 'illicitly made fentanyl', basis: 'kg gross product as seized' },
};
