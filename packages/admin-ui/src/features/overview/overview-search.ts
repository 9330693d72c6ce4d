/** What a link to the overview may carry: the vhost the incident board is narrowed to. */
export interface OverviewSearch {
  vhost?: string
}

export function parseOverviewSearch(raw: Record<string, unknown>): OverviewSearch {
  const vhost = raw['vhost']
  return typeof vhost === 'string' && vhost !== '' ? { vhost } : {}
}
