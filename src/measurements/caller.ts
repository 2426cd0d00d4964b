/** Who asks the measurement service, as the HTTP edge maps its principal (or an anonymous public read). */
export type SeriesCaller =
  | {
      kind: 'user';
      /** null for system keys (CLI), which act as admins. */
      userId: string | null;
      admin: boolean;
      /** A device key bound to one series reaches only that series. */
      boundSeriesId?: number;
    }
  | { kind: 'anonymous' };

export const ANONYMOUS: SeriesCaller = { kind: 'anonymous' };
