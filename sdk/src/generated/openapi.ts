// THIS FILE IS GENERATED FROM openapi.yaml BY `npm run generate`. DO NOT EDIT.

export interface paths {
    "/api/v1/chargepoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List all chargepoints with their live values
         * @description Every chargepoint openWB has published, with its latest live values, their age and staleness.
         */
        get: operations["listChargePoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live values of one chargepoint
         * @description The latest live values of one chargepoint, their age and staleness. 404 if openWB never published this chargepoint.
         */
        get: operations["getChargePoint"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/site": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live values of the site (grid, PV, battery, home consumption)
         * @description Grid, PV, battery and home consumption, each with its own age and staleness. A part openWB never published has `null` values, `updatedAt: null` and `stale: true`.
         */
        get: operations["getSite"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the vehicles configured in openWB (2.x)
         * @description openWB 1.9 has no vehicle objects; there the list is empty and each chargepoint reports its vehicle's SoC.
         */
        get: operations["listVehicles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles/{vehicleId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live values of one vehicle
         * @description The latest values of one vehicle. 404 if openWB never published this vehicle.
         */
        get: operations["getVehicle"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/system": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * openWB generation and version, broker connection and gateway state
         * @description Which openWB generation and version the gateway talks to, whether this instance is connected to the broker, when it last heard from openWB, and gateway facts.
         */
        get: operations["getSystem"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List charging sessions
         * @description Charging sessions: one per plug-in → unplug on a chargepoint, detected by the gateway's recorder
         *     from the live values (both openWB generations), plus sessions imported from openWB 2.x's own charge
         *     log (`openwb-gateway import chargelog`). A session that is still open has `end: null` and its
         *     figures grow while it runs.
         *
         *     Filters combine with AND. `from`/`to` select sessions whose `start` lies in the half-open range
         *     `[from, to)`. Paging is by an opaque cursor: pass `nextCursor` of one page as `cursor` (with the same
         *     filters and `sort`) to get the next; `nextCursor` is `null` on the last page.
         *
         *     A caller restricted to some chargepoints (a `user`, or a key narrowed to chargepoints) sees only
         *     their sessions; filtering by another chargepoint is a 403. A `user` (not an admin) sees only the
         *     sessions attributed to them: a session belongs to the owner of the RFID profile whose tag was
         *     scanned for it (see `listRfidEvents`).
         */
        get: operations["listSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Charging sessions summed per day, week, month or year
         * @description Number of sessions, energy, cost and charging time per calendar bucket in the time zone `tz`
         *     (default: the gateway's `TIME_ZONE`). A session counts in the bucket in which it started. Buckets
         *     are labelled by their start (ISO 8601 with the zone's offset); weeks start on Monday (ISO weeks);
         *     days are 23 or 25 hours long on daylight-saving changes. Every bucket of the range is present: one
         *     without sessions has zeros.
         *
         *     Range: half-open `[from, to)`, widened to whole buckets (`from` is moved back to the start of its
         *     bucket, `to` forward to the end of its bucket). Without `to` the range ends with the current
         *     bucket; without `from` it covers the last 31 days, 12 weeks, 12 months or 5 years. At most 1000
         *     buckets per request.
         */
        get: operations["getSessionSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download charging sessions as CSV
         * @description Every session `listSessions` would return for the same filters and credentials (a `user` only their
         *     own), as one CSV file (RFC 4180: CRLF line ends, fields with the delimiter, a quote or a line break
         *     quoted), streamed from the database in pages, oldest first by default. The first line names the
         *     columns with their units; times are local times (`YYYY-MM-DD HH:MM:SS`) in `tz` (default: the gateway's
         *     `TIME_ZONE`), named in the header; energy and meter readings in kWh, power in W, SoC in %, charging
         *     time in seconds, cost in `TARIFF_CURRENCY`. Columns: session id, chargepoint, start, end, charging time,
         *     energy, meter at start and end, mean and peak power, SoC at start and end, charge modes, RFID tag,
         *     vehicle id and name (the corrected ones), user, cost, `quality` (`measured`, `corrected`, `incomplete`
         *     or empty, see `SessionQuality`), the correction: corrected (`yes`/`ja` or empty), recorded vehicle
         *     id and name, note, corrected at, corrected by; and last the offset from UTC of start, end and corrected
         *     at (`UTC+02:00`, `UTC+01:00`; empty where the time is). A local time alone is ambiguous in the hour
         *     that the end of daylight-saving time repeats (in Berlin on 2026-10-25, 02:30 comes first at
         *     `UTC+02:00`, then at `UTC+01:00`); with its offset it names one instant. The offsets are written with
         *     `UTC` before them so that spreadsheets keep them as text (a bare `+02:00` would be read as a time or
         *     a formula). The offset columns come last, so that the columns before keep their places.
         *
         *     Text that a spreadsheet would run as a formula (a cell starting with `=`, `+`, `-`, `@`, a tab or a
         *     carriage return, for example a tag or note `=HYPERLINK(...)`) gets a leading `'` (OWASP CSV
         *     injection); numbers are written as numbers. For German spreadsheets: `delimiter=%3B&decimal=comma&lang=de&bom=true`.
         */
        get: operations["exportSessionsCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/export.xlsx": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download charging sessions as an Excel workbook
         * @description The sessions of `exportSessionsCsv` (same filters, credentials and columns) as one worksheet, written
         *     with a streaming writer: times as spreadsheet dates in `tz`, energy and meter readings in kWh (`0.000`),
         *     power in W, charging time as a duration (`[h]:mm:ss`), cost as currency; a frozen header row with
         *     filters, and a totals row (count, charging time, energy, cost) below the sessions.
         *
         *     Spreadsheet dates carry no time zone: a time cell holds the local wall-clock time in `tz` (what a
         *     person reads and what date arithmetic in the sheet expects), and the last three columns hold the
         *     offset from UTC of start, end and corrected at as text (`UTC+02:00`), which tells apart the two
         *     02:30 of the hour repeated when daylight-saving time ends. The writer reads the next page of sessions
         *     only when the zip has compressed what it wrote, so the memory it takes stays bounded however many
         *     sessions there are.
         */
        get: operations["exportSessionsXlsx"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/report.pdf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Charging report for company-car reimbursement (PDF)
         * @description An A4 PDF that an employee hands to the payroll office to have home charging of a company car
         *     reimbursed: the operator's name and address, the vehicle (name and licence plate), the period,
         *     the chargepoints and their meter note, one row per session (date, start, end, duration, energy
         *     in kWh with 3 decimals, meter readings at start and end where known, price applied, cost), the
         *     totals, the reimbursement basis in words, page x of y, creation time, gateway version, a document
         *     id, the SHA-256 of the report's data and (optionally) lines for the employee's and the employer's
         *     signatures. Operator, meter note, licence plates and flat rate come from the `REPORT_*` settings.
         *
         *     **Sessions.** The same sessions, with the same permissions, as `GET /api/v1/sessions`: a session
         *     belongs to the period when its `start` lies in it; a caller restricted to some chargepoints sees
         *     only theirs (another chargepoint is a 403); a `user` (not an admin) gets only the sessions
         *     attributed to them and may name no other `user` (403). At most 10,000 sessions per report (400
         *     above: choose a shorter period).
         *
         *     **Period.** One of `month` (the default: the current month), `quarter`, `year`, or `from` and
         *     `to` together (half-open `[from, to)`: `to` is the first day *not* included), in the time zone
         *     `tz`.
         *
         *     **Basis.** `tariff`: each session's recorded cost (the configured tariff including its time-of-day
         *     windows, or openWB's own cost for imported sessions), the price applied being cost ÷ energy.
         *     `flat`: energy × `REPORT_FLAT_RATE_PER_KWH`. Default: `flat` when that rate is configured. Costs are
         *     rounded to cents per session; the totals are the sums of the rows as printed.
         *
         *     **Checksum.** `X-Report-Sha256` (also printed in every page's footer) is the SHA-256 (hex) of the
         *     report's data in canonical JSON, independent of `lang` and of the creation time, so a later export
         *     of the same sessions can be compared with a printed report: see the README, "PDF charging
         *     report", for the exact canonical form.
         */
        get: operations["getSessionReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One charging session
         * @description One charging session by id; 404 when there is none with this id, or when it belongs to a chargepoint the caller may not use.
         */
        get: operations["getSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Correct the vehicle of a charging session or note why (its user or an admin)
         * @description A user corrects a session attributed to them (an admin: any session): another `vehicleId` (openWB
         *     assigned the wrong vehicle, or none) and/or a `note`, for example "private use". The recorded values
         *     stay: the session's `vehicle` becomes the corrected one, `correction.original` keeps what was
         *     recorded, and every export marks the session as corrected. A field left out stays as it is; `null`
         *     withdraws it; when neither a vehicle nor a note is left, the correction is withdrawn (`correction: null`).
         *     Every change is in the audit log (`session.correct`) with the values before and after.
         *
         *     As for `getSession`, a session of another user or of a chargepoint the caller may not use is a 404.
         */
        patch: operations["correctSession"];
        trace?: never;
    };
    "/api/v1/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recorded measurements per time bucket
         * @description Values the recorder sampled from the live store every `RECORD_INTERVAL_S` seconds (default 10),
         *     aggregated per bucket of `interval` in the time zone `tz` (default: the gateway's `TIME_ZONE`).
         *
         *     **Range.** Half-open `[start, end)`. Give `start` and `end`, or one of them with `duration`, or
         *     `duration` alone (then the range ends with the current bucket), or `start` alone (up to now), or
         *     none of them: today so far in `tz`. `series` is always required.
         *     A date without a time is midnight and a date-time without an offset is local time, both in `tz`.
         *     The range is widened to whole buckets: `start` is moved back to the start of its bucket and `end`
         *     forward to the end of its bucket. The response gives the range actually used.
         *
         *     **Buckets** are calendar buckets in `tz`, labelled by their start as ISO 8601 with the zone's
         *     offset at that instant. Days are 23 or 25 hours long on daylight-saving changes; weeks start on
         *     Monday (ISO weeks); `5min` buckets are aligned to every fifth minute. Every bucket of the range is
         *     present; a bucket without samples has `null` values (a gap stays a gap, it is not zero).
         *
         *     **Fields** per series kind: `energy` (Wh) for meter counters, from counter deltas: the sum of
         *     the increases between consecutive samples, including the step from the last sample before the
         *     bucket; a decrease (meter reset or swap) counts as 0, never as negative energy, and energy that
         *     accrued while no sample was taken (a gap) counts in the bucket of the next sample.
         *     `avgPower`, `maxPower`, `minPower` (W) for power series and `avgSoc`, `minSoc`, `maxSoc` (%) for
         *     state-of-charge series, from the samples in the bucket. Without `fields` every field that applies
         *     to a series is returned; a series to which none of the requested fields applies is a 400.
         *
         *     **Limits.** At most 10 series, and at most 10000 points per request (buckets × series); more is
         *     a 400 naming `maxPoints`. Series of a chargepoint the caller may not use are a 403.
         *     Queries read pre-computed 5-minute, hourly and daily (UTC) rollups:
         *     the coarsest whose bucket edges coincide with the requested edges (daily rollups only for zones
         *     at UTC+0, hourly for whole-hour offsets such as Europe/Berlin, 5-minute otherwise), never the raw
         *     samples, which are kept only `RAW_RETENTION_DAYS`.
         */
        get: operations["getHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/history/export.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download recorded measurements per time bucket as CSV
         * @description The buckets `getHistory` returns for the same parameters, as CSV with the dialect options of
         *     `exportSessionsCsv`: one line per bucket, its start as local time (`YYYY-MM-DD HH:MM:SS`) in `tz`, then
         *     one column per series and field with its unit (W, Wh, %) and, for energy, the bucket's `quality`, and
         *     last the start's offset from UTC (`UTC+01:00`), which tells apart the buckets of the hour repeated when
         *     daylight-saving time ends. An empty cell is a bucket without samples (a gap, not zero).
         */
        get: operations["exportHistoryCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/history/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the recorded series
         * @description Every series the recorder has written, with its kind, unit and the time of its first and last
         *     sample. Series appear as openWB publishes the values: per chargepoint `chargepoint.<id>.power`,
         *     `.energyImported`, `.energyExported`, `.vehicleSoc`; `grid.power`, `grid.energyImported`,
         *     `grid.energyExported`; `pv.power`, `pv.energyTotal`; `battery.power`, `battery.soc`,
         *     `battery.energyImported`, `battery.energyExported`; `home.power`; per vehicle `vehicle.<id>.soc`.
         *     Series of chargepoints the caller may not use are left out.
         */
        get: operations["listHistorySeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in with username and password
         * @description Returns a short-lived access token (a JWT, send it as `Authorization: Bearer <token>`) and a refresh
         *     token. Wrong usernames and wrong passwords get the same 401. Repeated failures slow further attempts
         *     down and then lock the username and the client address out for `LOGIN_LOCKOUT_S` seconds (429 with
         *     `Retry-After`), whether or not the user exists. Public.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a refresh token for new tokens
         * @description Rotates the refresh token: the presented one stops working and a new pair is returned. Presenting an
         *     already rotated refresh token again is treated as theft: the whole session (every token descended from
         *     the same login) is revoked, including its access tokens. Public (the refresh token is the credential).
         */
        post: operations["refreshToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the session
         * @description Revokes the session of the access token used (its refresh tokens stop working and the access token
         *     is refused from now on) and, when given, the session of `refreshToken` if it is the caller's own.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who the credentials belong to
         * @description The user (or system key), role, effective scopes and the chargepoints the credentials may use.
         */
        get: operations["getCurrentPrincipal"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change your own password
         * @description Needs an access token (not an API key) and the current password. Ends every session of the user,
         *     so the client logs in again with the new password. Failed attempts count towards the login lock-out.
         */
        put: operations["changePassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users (admins)
         * @description Every user with role, allowed chargepoints and state, ordered by name. Never password hashes. Paged:
         *     pass `nextCursor` of one page as `cursor` to get the next (100 users a page unless `limit` says otherwise).
         */
        get: operations["listUsers"];
        put?: never;
        /**
         * Create a user (admins)
         * @description Usernames are case-insensitive and unique (409 otherwise). Passwords need 12 to 128 characters.
         */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One user (admins)
         * @description The user with role, allowed chargepoints and state.
         */
        get: operations["getUser"];
        put?: never;
        post?: never;
        /**
         * Delete a user (admins)
         * @description Deletes the user, revokes their API keys and ends their sessions. The last active admin cannot be deleted (409).
         */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        /**
         * Change a user (admins)
         * @description Changes role, password, allowed chargepoints or the disabled state. A new password or disabling ends
         *     every session of the user; disabling also stops their API keys. The last active admin cannot be
         *     demoted or disabled (409). Changes apply to every gateway instance at once.
         */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/api/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List your API keys
         * @description Your keys (system keys when called with one), newest last: name, public prefix, scopes, chargepoints,
         *     expiry, last use (recorded at most once a minute) and revocation. Never the keys themselves.
         *     Admins may pass `owner=all` to see every key. Paged like the users (`limit`, `cursor` → `nextCursor`).
         */
        get: operations["listApiKeys"];
        put?: never;
        /**
         * Create an API key
         * @description Creates a key owned by the caller and returns it **once**; only its SHA-256 is stored. Its scopes
         *     cannot exceed the caller's (a `user` cannot create `admin` keys) and its chargepoints must be ones
         *     the caller may use (403 otherwise). Needs an access token or an admin key: other API keys cannot
         *     create keys.
         */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key
         * @description Revokes one of your keys (admins - any key). Takes effect at once on every gateway instance. Revoking a revoked key succeeds again.
         */
        delete: operations["revokeApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the audit log (admins)
         * @description Logins (success and failure), user and key changes and control commands: who, what, when and from
         *     where, newest first. Filters combine; page with `cursor` (the previous page's `nextCursor`).
         */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/charge-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Charge mode and charging settings of one chargepoint
         * @description The settings the control operations change, read from openWB: the charge mode and, for openWB 2.x, the
         *     instant-charging and PV settings of the chargepoint's active charge template (`set/charge_template`).
         *     openWB 1.9 has one global charge mode (`global: true`) and per-chargepoint instant-charging settings
         *     (`openWB/config/get/sofort/lp/<n>/*`); it has no per-chargepoint PV settings (`pvCharging: null`).
         */
        get: operations["getChargeSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/charge-mode": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change the charge mode of a chargepoint
         * @description openWB 2.x: the gateway reads the chargepoint's active charge template, changes only
         *     `chargemode.selected` (and `pv_charging.min_current`: `0` for `pv`; for `minPv` `minCurrent`, else the
         *     last minimum current used on this chargepoint, else 6 A), keeps its `id` and publishes the complete template to
         *     `openWB/set/chargepoint/<id>/set/charge_template`. Unless openWB's temporary charge templates are on,
         *     openWB also stores it in the persistent template and in every chargepoint using it.
         *
         *     openWB 1.9: the charge mode is **global** (`openWB/set/ChargeMode` 0–4): it changes every chargepoint,
         *     so it needs access to all chargepoints. 1.9 has no `eco` and no `scheduled` mode (400).
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setChargeMode"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/instant-charging": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change the instant-charging current, phases and limit
         * @description Only the fields sent change. openWB 2.x: `chargemode.instant_charging` of the active charge template
         *     (`current` A, `phases_to_use`, `limit` with `selected` `none`/`soc`/`amount`, `soc` %, `amount` Wh),
         *     published as the complete template like `setChargeMode`. openWB 1.9: `openWB/config/set/sofort/lp/<n>/current`,
         *     `chargeLimitation` (0 none, 1 energy, 2 SoC), `energyToCharge` (kWh: `energy` must be whole kWh, at most
         *     100 kWh) and `socToChargeTo` (chargepoints 1 and 2 only); 1.9 has no per-chargepoint phase setting (`phases`: 400).
         *     This does not change the charge mode.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setInstantCharging"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/pv-charging": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change the PV-charging settings
         * @description Only the fields sent change, in `chargemode.pv_charging` of the active charge template (openWB 2.x):
         *     `minCurrent` (`min_current`, A; 0 = PV only, which is what makes the mode `pv` rather than `minPv`),
         *     `minSoc` / `minSocCurrent` (`min_soc` %, `min_soc_current` A: charge at that current up to that SoC),
         *     `phases` (`phases_to_use`, 0 = automatic), `feedInLimit` and `limit`. openWB 1.9 keeps its PV settings
         *     globally and offers no topics for them (400).
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setPvCharging"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Lock or unlock a chargepoint
         * @description openWB 2.x: `openWB/set/chargepoint/<id>/set/manual_lock` `true`/`false`. openWB 1.9:
         *     `openWB/set/lp/<n>/ChargePointEnabled` `0`/`1`. openWB may lock again by itself (2.x: `disable_after_unplug`
         *     of the chargepoint profile; 1.9: RFID mode), and an accepted RFID tag unlocks.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setChargePointLock"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/vehicle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Assign a vehicle to a chargepoint
         * @description openWB 2.x only: `openWB/set/chargepoint/<id>/config/ev` with the vehicle's id. The vehicle must exist
         *     (openWB creates a vehicle for an unknown id, so unknown ids are refused with 400). openWB then uses that
         *     vehicle's charge template on the chargepoint; an RFID tag or vehicle id matched by openWB overrides the
         *     assignment, and a template with `load_default` returns to vehicle 0 after unplugging.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setChargePointVehicle"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/vehicle-soc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the SoC of the vehicle at a chargepoint by hand
         * @description openWB 2.x: the manual SoC of the vehicle connected to the chargepoint (like `setVehicleSoc`). openWB 1.9:
         *     `openWB/set/lp/<n>/manualSoc` (chargepoints 1 and 2 only).
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setChargePointVehicleSoc"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chargepoints/{chargepointId}/soc-update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask the SoC module of the vehicle at a chargepoint for a fresh SoC
         * @description openWB 2.x: like `requestVehicleSocUpdate` for the vehicle connected to the chargepoint. openWB 1.9:
         *     `openWB/set/lp/<n>/ForceSoCUpdate` `1` (chargepoints 1 and 2 only). 1.9 publishes nothing that confirms
         *     the request: the command is `sent` (202) once the broker accepted it.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        post: operations["requestChargePointSocUpdate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles/{vehicleId}/soc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set the SoC of a vehicle by hand
         * @description openWB 2.x: `openWB/set/vehicle/<id>/soc_module/calculated_soc_state/manual_soc`. Only for vehicles whose
         *     SoC module is `manual` or calculates the SoC (`calculate_soc: true`), 409 otherwise. Users (not admins)
         *     may change only vehicles connected to or assigned to one of their chargepoints. openWB 1.9 has no
         *     vehicles: use `setChargePointVehicleSoc`.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setVehicleSoc"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles/{vehicleId}/soc-update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a vehicle's SoC module for a fresh SoC
         * @description openWB 2.x: `openWB/set/vehicle/<id>/get/force_soc_update` `true`; applied when openWB republishes the
         *     request. Users (not admins) may ask only for vehicles connected to or assigned to one of their chargepoints.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        post: operations["requestVehicleSocUpdate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles/{vehicleId}/charge-template": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Switch the charge template a vehicle uses
         * @description openWB 2.x: `openWB/set/vehicle/<id>/charge_template` with the id of an existing charge template
         *     (`listChargeTemplates`; unknown ids: 400). openWB copies it to the vehicle's chargepoints in its next control
         *     cycle. Users (not admins) may switch only vehicles connected to or assigned to one of their chargepoints.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setVehicleChargeTemplate"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vehicles/{vehicleId}/soc-module": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A vehicle's SoC module configuration (admins)
         * @description The SoC module openWB 2.x uses for the vehicle (`openWB/vehicle/<id>/soc_module/config`). Secrets in its
         *     configuration (passwords, tokens, PINs, keys: every key whose name looks secret) are never returned:
         *     each is replaced by `{ "set": true|false }` and listed in `secrets`.
         */
        get: operations["getVehicleSocModule"];
        /**
         * Set a vehicle's SoC module configuration (admins)
         * @description Publishes `openWB/set/vehicle/<id>/soc_module/config`. `type` must be one of `listSocModules`; the
         *     `configuration` may only hold that module's keys, with values of the defaults' types. Keys not sent keep
         *     their current value (same type) or the module's default. A secret that is not sent, or sent back as
         *     `{ "set": true }`, keeps its stored value; `null` clears it. The reply never contains secrets.
         *
         *     Waits until openWB shows the change on its state topic (at most `COMMAND_TIMEOUT_S`, default 20 s, or what
         *     `Prefer` asks for): `200` with the command and the chargepoint's new state, otherwise `202` with the
         *     command resource (`Location`), whose status then moves from `pending` to `applied` or `timeout`.
         */
        put: operations["setVehicleSocModule"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/soc-modules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The SoC modules openWB offers
         * @description openWB 2.x's list of SoC modules (`openWB/system/configurable/soc_modules`), each with its default
         *     configuration (secrets masked as `{ "set": false }` and listed in `secrets`). The list changes between
         *     openWB releases; it is empty until openWB has published it, and for openWB 1.9.
         */
        get: operations["listSocModules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/charge-templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The charge templates of openWB 2.x
         * @description Persistent charge templates (`openWB/vehicle/template/charge_template/<id>`): the ids a vehicle can be switched to
         *     with `setVehicleChargeTemplate`. Empty for openWB 1.9.
         */
        get: operations["listChargeTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/commands/{commandId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The state of a control command
         * @description A command sent by a control operation (or by an RFID profile): `pending` until openWB shows the change,
         *     then `applied`, or `timeout` when it did not within `COMMAND_TIMEOUT_S`; `sent` for commands openWB cannot
         *     confirm. Its owner may read it, admins every command; anyone else gets 404.
         */
        get: operations["getCommand"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/profiles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List RFID profiles
         * @description RFID user profiles: tags, owner, allowed chargepoints and the preset applied when a tag is scanned. Admins
         *     see every profile, users their own. Ordered by name; paged like the users (`limit`, `cursor` → `nextCursor`).
         */
        get: operations["listProfiles"];
        put?: never;
        /**
         * Create an RFID profile
         * @description Creates a profile owned by the caller, or (admins only) by `userId`. Each tag belongs to at most one profile
         *     (compared case-insensitively; 409 when taken). `chargepoints` limits where the profile applies (empty: every
         *     chargepoint its owner may use; a user may only name their own chargepoints). The `preset` reuses the
         *     control bodies; `vehicleId` must be a known vehicle.
         */
        post: operations["createProfile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/profiles/{profileId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One RFID profile
         * @description A profile of the caller (admins: any). Other users' profiles answer 404.
         */
        get: operations["getProfile"];
        put?: never;
        post?: never;
        /**
         * Delete an RFID profile
         * @description Deletes a profile of the caller (admins: any) and frees its tags. Recorded RFID events keep their history.
         */
        delete: operations["deleteProfile"];
        options?: never;
        head?: never;
        /**
         * Change an RFID profile
         * @description Changes the fields sent; `tags`, `chargepoints` and `preset` are replaced as a whole. Only admins may change
         *     `userId`. Same checks as `createProfile`.
         */
        patch: operations["updateProfile"];
        trace?: never;
    };
    "/api/v1/rfid-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Recent RFID scans and what they did
         * @description Every tag the gateway saw scanned (2.x `get/rfid`) or bound to a plug-in session (2.x `set/rfid`, 1.9
         *     `lastRfId`), once per session and tag, newest first, with the outcome: the profile's preset `applied` (or
         *     `timeout`, `failed`), `unknownTag` (no profile: nothing changed), `notAllowed` (the profile does not apply
         *     on this chargepoint, or its owner may not use it), `noPreset`. Admins see every event, users those of their
         *     own profiles. Page with `cursor`.
         */
        get: operations["listRfidEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live stream of changes (WebSocket, or Server-Sent Events)
         * @description Upgrade this request to a WebSocket (`Connection: Upgrade`, `Upgrade: websocket`) to receive the live
         *     values as they change, instead of polling. Credentials as for every operation (`x-api-key` or
         *     `Authorization: Bearer`), or, for browsers that cannot set headers on a WebSocket, `?ticket=` from
         *     `POST /api/v1/stream/tickets`. A browser's `Origin` must be in `CORS_ORIGINS` or be the gateway's own host (its
         *     dashboard at `/`). A ticket works once, on
         *     the upgrade or on the Server-Sent Events below (a browser's `EventSource` cannot set headers either),
         *     on whichever gateway instance the client reaches.
         *
         *     Failed authentications of the upgrade count against the client address's budget of failed logins
         *     (`LOGIN_MAX_FAILURES_PER_IP` per `LOGIN_LOCKOUT_S`); past it the upgrade is refused with 429.
         *
         *     Messages are JSON text frames, described as a contract in `/asyncapi.yaml`: first a `snapshot` with
         *     what the REST reads return (the chargepoints the caller may see, the site, the vehicles, the
         *     system), then `changed` with only the changed fields of one object and each value's `updatedAt`, and
         *     `stale` when an object's values turn stale. Events follow as they happen: `session` (a charging session
         *     started, updated, ended), `command` (`pending`, then `applied` or `timeout`), `rfid` (a tag scanned, with
         *     its outcome) and `connection` (the gateway's connection to the openWB broker lost or back). Users see
         *     only their own sessions, commands and RFID events on chargepoints they may use; admins see all.
         *     Every message carries a `seq` that counts up by one per connection.
         *
         *     `chargepoints` and `topics` narrow what the connection receives (the snapshot too), e.g.
         *     `?chargepoints=3&topics=values,events`. An invalid narrowing is refused with 400 (on the upgrade: the
         *     status and no body). On the WebSocket a `subscribe` message changes it while connected (answered with a
         *     fresh `snapshot`).
         *
         *     A refused upgrade is answered with the HTTP status and no body. The same stream comes as
         *     Server-Sent Events to a GET with `Accept: text/event-stream`; any other GET without an upgrade gets 400.
         */
        get: operations["openStream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A single-use ticket to open the stream from a browser
         * @description Browsers cannot set headers on a WebSocket. This returns a short-lived ticket (`STREAM_TICKET_TTL_S`,
         *     default 30 s) bound to the caller, to open `GET /api/v1/stream?ticket=…` once (WebSocket or
         *     Server-Sent Events). A ticket is never a long-lived secret: it works once, on any gateway instance
         *     sharing the Redis, before it expires. Redis keeps only a hash of the ticket, and the stream re-checks
         *     the caller's key or session as it stands, never a stored secret. While Redis cannot be reached no
         *     ticket is issued (503 with `Retry-After`); streams opened with headers keep working.
         */
        post: operations["createStreamTicket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/energsync/chargers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * EnergSync: the chargers these credentials may see
         * @description EnergSync (formerly Rewatt EV Charging API) `GET /chargers`: the chargepoints this credential may
         *     see (openWB's published chargepoints and those configured in `ENERGSYNC_CHARGERS`, narrowed to the
         *     key's chargepoints), ordered by id, one 1-based page at a time. Ids in `chargerIds` the caller may
         *     not see, or that are not chargers, are left out (no error). `total` counts every charger that
         *     matches, across pages; a page beyond the last is empty.
         *
         *     The `/energsync` prefix is the default of `ENERGSYNC_BASE_PATH`: the three EnergSync operations are
         *     served under whatever prefix that names, and only when `ENERGSYNC_ENABLED=true`.
         */
        get: operations["listEnergSyncChargers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/energsync/chargers/{chargerId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * EnergSync: one charger
         * @description EnergSync `GET /chargers/{chargerId}`: one charger as a bare object (no envelope). Live facts come
         *     from openWB where it publishes them (name, serial number, the EVSE's maximum current, connected
         *     phases); the rest from configuration (`ENERGSYNC_*`, per charger `ENERGSYNC_CHARGERS`). 404 for an id
         *     that is no charger, 403 for one the credentials may not use.
         */
        get: operations["getEnergSyncCharger"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/energsync/chargers/{chargerId}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * EnergSync: charging sessions of one charger that started within a period
         * @description EnergSync `GET /chargers/{chargerId}/sessions`: the charger's sessions (plug-in → unplug) that
         *     **start** on or after 00:00:00 UTC of `startDate` and before 00:00:00 UTC of the day after `endDate`
         *     (both UTC calendar dates, `endDate` inclusive of its whole day, whatever the installation's
         *     `TIME_ZONE`), oldest first, one 1-based page at a time; `total` counts every match.
         *
         *     Sessions still open (the vehicle is plugged in) are left out until they end: EV credits are computed
         *     from final figures, so a session appears once, with its final `energy` and `endTime`.
         *     Units (EnergSync leaves them open; decided here): `energy` in whole **Wh**, `chargingDuration` in whole
         *     **seconds** of actual charging (not the time plugged in).
         *
         *     `quality` is an addition of this gateway (EnergSync clients ignore properties they do not know): how far
         *     `energy` can be trusted, the same mark as the sessions API's `quality` (`SessionQuality`). Every ended
         *     session is served, whatever its mark. `incomplete` energy is a lower bound (the meter was reset or
         *     replaced during the session and what it counted meanwhile counts 0), so paying for it per kWh never pays
         *     for energy that was not charged, while leaving the session out would withhold energy that was measured.
         *     A programme that credits only fully metered sessions accepts `measured` and `corrected` (implausible
         *     readings held back, energy from the plausible ones) and sets `incomplete` and `null` (no meter reading
         *     seen: imported from openWB's charge log, or recorded before the gateway kept quality) aside for review.
         */
        get: operations["listEnergSyncSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness probe (the process is up)
         * @description Answers 200 as long as the process serves HTTP. Public.
         */
        get: operations["getLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness probe (broker connected, live store and database reachable, recorder writing)
         * @description 200 when the broker is connected, the live store and database answer and the statistics recorder (when this instance records) is writing; 503 otherwise, naming the failed dependency. `checks.recorder` (present when the recorder is enabled) reports samples waiting in its outage buffer and samples lost to a full buffer, and turns the status to `unavailable` only when the recorder has not written for three recording intervals while the database answers (`stalled`, with the reason in `detail`). Public.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description Prometheus text exposition: HTTP request durations by operation, MQTT messages and decode errors,
         *     live store latency, plus Node.js process metrics. Needs an API key with the `admin` scope unless
         *     the gateway runs with `METRICS_PUBLIC=true`.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List pulse meters
         * @description Your pulse meters (admins: every meter), oldest first, a page at a time: pass `nextCursor` as `cursor`
         *     for the next page (`null` on the last).
         */
        get: operations["listMeters"];
        put?: never;
        /**
         * Create a pulse meter
         * @description A meter that counts pulses of an energy meter: a Ferraris disc's red mark (75 revolutions/kWh: 13.33 Wh
         *     per pulse) or an S0 output (1000 imp/kWh: 1 Wh per pulse). The caller owns it. Its readings are Wh:
         *     `startReadingWh` is the meter's reading (Wh, e.g. 25503550 for 25 503.55 kWh) when counting starts.
         *     Create a device key for it with `POST /api/v1/meters/{meterId}/keys`.
         */
        post: operations["createMeter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One pulse meter
         * @description A meter of yours (admins: any); others' meters answer 404.
         */
        get: operations["getMeter"];
        put?: never;
        post?: never;
        /**
         * Delete a pulse meter
         * @description Deletes the meter with its pulses and connection losses, and revokes its device keys at once.
         */
        delete: operations["deleteMeter"];
        options?: never;
        head?: never;
        /**
         * Change a pulse meter
         * @description Changes the fields sent. `energyPerPulseWh` applies to every pulse counted so far too (it corrects a
         *     wrong constant); for a new meter in the cabinet, create a new pulse meter.
         */
        patch: operations["updateMeter"];
        trace?: never;
    };
    "/api/v1/meters/{meterId}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a device key for a pulse meter
         * @description A key bound to this meter (scope `device`), for the device that counts its pulses or the display that
         *     shows it: it can report pulses and connection losses and read the reading and summary of this meter, and
         *     nothing else (403). Shown **once**. Only the meter's owner (or an admin) may create it; it belongs to the
         *     owner and is listed under `GET /api/v1/keys` with its `device`, where it can be revoked.
         */
        post: operations["createMeterKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}/pulses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report pulses
         * @description Without a body (or with `{}`): one pulse, now (the gateway's clock). With `times`: the pulses counted at
         *     those instants, e.g. after a Wi-Fi outage, in any order. A pulse is identified by its meter and its
         *     time to the millisecond: a pulse sent again (a retried request) is a duplicate and counted once, so
         *     retrying is safe. Times may not lie more than 60 s in the future (400). At most 2000 pulses per request.
         */
        post: operations["recordMeterPulses"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}/connection-losses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report a connection loss
         * @description The device was offline for `durationMs` and counted `pulsesMissed` pulses it could not time. They count into
         *     the meter reading, and into the energy of the day and history bucket in which the loss **ended**
         *     (`endedAt`, default now), like energy that accrued between two samples, but never into power (their
         *     times are unknown). A report is identified by its meter and `endedAt` to the millisecond: sent again, it
         *     is a duplicate and counted once.
         */
        post: operations["reportMeterConnectionLoss"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}/reading": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Meter reading, today and current power
         * @description The meter reading (`startReadingWh` plus every pulse, missed ones included), the energy of today in the
         *     gateway's `TIME_ZONE` (local midnight to now), and the current power. Power comes from the interval
         *     between the last two pulses and **decays** while no pulse arrives: it can be at most one pulse's energy
         *     over the time since the last pulse, so `powerW` = min(`lastIntervalPowerW`, `energyPerPulseWh` × 3600 /
         *     seconds since the last pulse). `null` before two pulses are known, or when a connection loss ended between
         *     the last two.
         */
        get: operations["getMeterReading"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Compact summary for tiny displays
         * @description The reading in a few bytes for a microcontroller's display: `w` current power (W, integer, decaying as in
         *     `getMeterReading`; `null` when unknown), `wh` today's energy (Wh, integer), `kwh` the meter reading (kWh,
         *     2 decimals).
         */
        get: operations["getMeterSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meters/{meterId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Energy per bucket
         * @description The meter's energy per calendar bucket, with the range, bucket and time-zone rules of `GET /api/v1/history`
         *     (half-open `[start, end)` widened to whole buckets in `tz`; no range: today so far; at most 10000 buckets).
         *     A pulse counts in the bucket of its time; missed pulses of a connection loss in the bucket in which the
         *     loss ended. Every bucket is present; a bucket without pulses has 0 Wh (a pulse meter counts every pulse,
         *     so no pulse is no energy).
         */
        get: operations["getMeterHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pulse-meter/tick": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Smartmeter compatibility: one pulse
         * @description `GET /tick` of the ESP8266 smartmeter (one turn of the Ferraris disc): records one pulse now, like
         *     `POST /api/v1/meters/{meterId}/pulses` without a body. A GET that changes state, kept only for that device:
         *     it needs the meter's device key in a header, so a browser or prefetch cannot count pulses.
         *     Served only with `PULSE_METER_COMPAT_ENABLED=true`, under `PULSE_METER_COMPAT_BASE_PATH` (default: the root, so `GET /tick` as the seed device calls it; the `/pulse-meter` prefix written here is replaced by it). Needs a device key of a meter in `x-api-key`: it acts on that meter.
         */
        get: operations["pulseMeterTick"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pulse-meter/lcdinfo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Smartmeter compatibility: the display values
         * @description `GET /lcdinfo` of the smartmeter display, with its field names (which call energy "power"):
         *     `daily_power` is today's energy (Wh, 2 decimals), `current_power` the current power (W, integer,
         *     decaying as in `getMeterReading`; 0 when unknown). Served only with `PULSE_METER_COMPAT_ENABLED=true`, under `PULSE_METER_COMPAT_BASE_PATH` (default: the root, so `GET /tick` as the seed device calls it; the `/pulse-meter` prefix written here is replaced by it). Needs a device key of a meter in `x-api-key`: it acts on that meter.
         */
        get: operations["pulseMeterLcdInfo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pulse-meter/connloss/{duration}/{ticksMissed}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Smartmeter compatibility: a connection loss
         * @description `GET /connloss/{duration}/{ticks_missed}` of the smartmeter: `duration` in ms, `ticksMissed` pulses
         *     counted while offline, recorded as `POST /api/v1/meters/{meterId}/connection-losses` ending now. (The
         *     seed device sends its uptime at the disconnect as `duration`; the duration is kept for information only
         *     and changes no energy.) Served only with `PULSE_METER_COMPAT_ENABLED=true`, under `PULSE_METER_COMPAT_BASE_PATH` (default: the root, so `GET /tick` as the seed device calls it; the `/pulse-meter` prefix written here is replaced by it). Needs a device key of a meter in `x-api-key`: it acts on that meter.
         */
        get: operations["pulseMeterConnectionLoss"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List measurement series
         * @description Measurement series: what the other devices of the house (a thermometer, a battery monitor) record
         *     here. Admins see every series, users their own. Oldest first, paged by `cursor`: pass `nextCursor` of
         *     one page to get the next; `nextCursor` is `null` on the last page.
         */
        get: operations["listMeasurementSeries"];
        put?: never;
        /**
         * Create a measurement series
         * @description Creates a series owned by the caller. `units` names the unit of each field the device will send (any
         *     field may be sent, with or without a unit). `retentionDays`: points older than that many days are
         *     deleted (hour by hour, rollups with them); omitted or `null`: kept for ever.
         */
        post: operations["createMeasurementSeries"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/series/{seriesId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One measurement series
         * @description A series of the caller (admins - any), with its number of points and the time of its first and last point. Other users' series answer 404.
         */
        get: operations["getMeasurementSeries"];
        put?: never;
        post?: never;
        /**
         * Delete a measurement series
         * @description Deletes a series of the caller (admins - any) with all its points and rollups, in one transaction. 404 for a series that does not exist (or is another user's).
         */
        delete: operations["deleteMeasurementSeries"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/series/{seriesId}/points": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Points of a series in a time range
         * @description The points whose time lies in `[from, to)`, oldest first (ties by arrival), paged by `cursor`. Without
         *     `to`: now; without `from`: two days before `to` (the timeseries-api default window). Times are
         *     returned in UTC.
         */
        get: operations["listMeasurementPoints"];
        put?: never;
        /**
         * Write a batch of points
         * @description Stores up to 5,000 points in one transaction (all or none). Each point has `fields`, an object of at most
         *     32 numbers whose names match `^[A-Za-z_][A-Za-z0-9_.-]{0,63}$` (400 otherwise, as for a number that is not
         *     finite, such as `1e999`), and optionally `time` (ISO 8601 with an offset; default: when the gateway
         *     received the batch). Times are stored in UTC. Points may arrive in any order; two points may share a
         *     time. The body may be up to 4 MiB (413 above).
         */
        post: operations["writeMeasurementPoints"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/series/{seriesId}/aggregates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Minimum, mean, maximum and last value per field and interval
         * @description Calendar buckets in `tz` (DST-correct: a day is 23 or 25 hours long on a change), each with the count,
         *     minimum, mean, maximum and last value of every field (or of `fields`) over the points in the bucket;
         *     `null` values where a bucket has no point of that field. The range is widened to whole buckets; without
         *     `from`, `to` and `duration` it is today so far. At most 10,000 buckets. Answered from rollups kept on every
         *     write: days and longer in the gateway's `TIME_ZONE` (when the series was made) from daily rollups (a year
         *     is 365 rows per field), in another zone from hourly rollups grouped into its days, hours from the hourly
         *     rollups; 5-minute buckets and zones whose offset is not whole hours from the points themselves.
         */
        get: operations["aggregateMeasurementPoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/series/{seriesId}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a device key for a series
         * @description Creates an API key bound to this series and returns it **once** (the same body as `POST /api/v1/keys`):
         *     it carries the `device` scope and can only write points to this series and read it (the operations marked
         *     `x-device-operation: series`), nothing else (403). Only the series' owner or an admin; the key belongs to
         *     the owner. Needs an access token or an admin key. Deleting the series revokes its keys.
         */
        post: operations["createMeasurementSeriesKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * timeseries-api: the series, keyed by id
         * @description fakufaku/timeseries-api `GET /series`: an object keyed by each series' id as a string. `user` is the
         *     owner's name, `count` the number of points. With header credentials: the caller's series (admins - all);
         *     without: every series, only when `TIMESERIES_API_PUBLIC_READS=true` (401 otherwise). The `/timeseries`
         *     prefix is the default of `TIMESERIES_API_BASE_PATH`; these operations are served only with
         *     `TIMESERIES_API_ENABLED=true`. No JSONP: `callback` is refused (400).
         */
        get: operations["listTimeseriesSeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/series/new": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * timeseries-api: create a series
         * @description timeseries-api `PUT /series/new`: creates a series owned by the user of `token` (an API key of this
         *     gateway, or send it in `x-api-key` instead) and answers **201 with the bare integer id**. Other keys in
         *     the body are ignored. No token: 401; an unknown token: 403 (never echoed); a missing `device_id` or
         *     `device_desc`: 400.
         */
        put: operations["createTimeseriesSeries"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/series/{tsSeriesId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * timeseries-api: the points of a series
         * @description timeseries-api `GET /series/{id}`: a JSON array of the points with `from` ≤ time ≤ `to` (both inclusive,
         *     as there), oldest first. Defaults: `to` = now, `from` = two days before `to`. A date-time without an
         *     offset is local time in `TIME_ZONE`; an unparsable value is a 400 (not silently the default). At most
         *     100,000 points (400 above: narrow the range). Reads as `listTimeseriesSeries`: header credentials of
         *     the owner (or an admin), or anonymous when public reads are enabled.
         */
        get: operations["getTimeseriesSeriesPoints"];
        put?: never;
        post?: never;
        /**
         * timeseries-api: delete a series
         * @description timeseries-api `DELETE /series/{id}` with `{"token": …}` in the body (or header credentials): deletes the
         *     series and its points in one transaction, **only the owner's** (or an admin's): another user's token is a
         *     403. 204 also when the series does not exist (idempotent, as there).
         */
        delete: operations["deleteTimeseriesSeries"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/point/new": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * timeseries-api: add a point
         * @description timeseries-api `PUT /point/new`: stores one point, stamped with the time the gateway received it, in the
         *     series `series_id` of the token's user, and answers **201 with the bare integer point id**. `fields` holds
         *     at most 32 finite numbers (names as in `writeMeasurementPoints`). Extra keys are ignored. No token:
         *     401; an unknown token, or a series of another user (or another series than the device key's): 403; no such
         *     series: 404.
         */
        put: operations["createTimeseriesPoint"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/point/{tsPointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * timeseries-api: one point
         * @description timeseries-api `GET /point/{id}`. Reads as `listTimeseriesSeries`; a point of a series the caller may not read is a 404.
         */
        get: operations["getTimeseriesPoint"];
        put?: never;
        post?: never;
        /**
         * timeseries-api: delete a point
         * @description timeseries-api `DELETE /point/{id}` with `{"token": …}`: only a point of a series the token's user owns (or any, for an admin); 403 otherwise; 204 also when there is no such point.
         */
        delete: operations["deleteTimeseriesPoint"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/timeseries/points/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * timeseries-api: the number of points
         * @description timeseries-api `GET /points/count`: a bare integer, the number of points of the series the caller may read (anonymous with public reads: all).
         */
        get: operations["countTimeseriesPoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description A charger as EnergSync describes it. A fact neither openWB publishes nor the configuration names is `null`.
         * @example {
         *       "id": "3",
         *       "name": "Garage",
         *       "serialNumber": "12345678",
         *       "model": "openWB series2 custom",
         *       "manufacturer": "openWB",
         *       "maxAvailableCurrent": 16,
         *       "maxOutputPower": 11040,
         *       "outputVoltage": 230,
         *       "numberOfConnectors": 1,
         *       "timeZone": "Europe/Berlin",
         *       "latitude": 52.52,
         *       "longitude": 13.405,
         *       "commissioningDate": "2024-04-12"
         *     }
         */
        EnergSyncCharger: {
            id: components["schemas"]["EntityId"];
            /** @description openWB chargepoint name (configured name wins) */
            name: string;
            /** @description openWB 2.x `get/serial_number`, else configured */
            serialNumber: string | null;
            model: string | null;
            manufacturer: string | null;
            /** @description Most current per phase, A: configured, else the EVSE maximum openWB 2.x publishes (`get/max_evse_current`) */
            maxAvailableCurrent: number | null;
            /** @description Most output power, W: configured, else maxAvailableCurrent × outputVoltage × connected phases */
            maxOutputPower: number | null;
            /** @description Nominal voltage per phase, V (`ENERGSYNC_OUTPUT_VOLTAGE`, default 230) */
            outputVoltage: number | null;
            /**
             * Format: int32
             * @description Connectors (an openWB chargepoint has one unless configured otherwise)
             */
            numberOfConnectors: number;
            /** @description IANA zone of the installation (`TIME_ZONE`) */
            timeZone: string;
            /** @description Degrees */
            latitude: number | null;
            /** @description Degrees */
            longitude: number | null;
            /** Format: date */
            commissioningDate: string | null;
        };
        EnergSyncChargerList: {
            chargers: components["schemas"]["EnergSyncCharger"][];
            /**
             * Format: int32
             * @description Chargers matching, across all pages
             */
            total: number;
        };
        /**
         * @example {
         *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
         *       "chargerId": "3",
         *       "energy": 18250,
         *       "startTime": "2026-03-01T17:02:10.000Z",
         *       "endTime": "2026-03-01T21:40:00.000Z",
         *       "chargingDuration": 6120,
         *       "quality": "measured"
         *     }
         */
        EnergSyncSession: {
            id: components["schemas"]["SessionId"];
            chargerId: components["schemas"]["EntityId"];
            /**
             * Format: int64
             * @description Energy charged, whole Wh (a decision of this gateway: EnergSync does not name the unit)
             */
            energy: number;
            /**
             * Format: date-time
             * @description Plug-in (UTC)
             */
            startTime: string;
            /**
             * Format: date-time
             * @description Unplug (UTC)
             */
            endTime: string;
            /**
             * Format: int64
             * @description Time actually charging, whole seconds (a decision of this gateway: EnergSync does not name the unit)
             */
            chargingDuration: number;
            quality: components["schemas"]["SessionQuality"];
        };
        EnergSyncSessionList: {
            sessions: components["schemas"]["EnergSyncSession"][];
            /**
             * Format: int32
             * @description Sessions matching, across all pages
             */
            total: number;
        };
        /** @example 3 */
        EntityId: string;
        /**
         * Format: date-time
         * @example 2026-05-20T12:00:40.000Z
         */
        Timestamp: string;
        /** @description RFC 9457 problem details */
        Problem: {
            /**
             * Format: uri-reference
             * @description Stable identifier of the problem kind, e.g. `/problems/not-found`
             * @example /problems/not-found
             */
            type: string;
            /** @example Not Found */
            title: string;
            /**
             * Format: int32
             * @example 404
             */
            status: number;
            /** @example Chargepoint 9 is not known */
            detail?: string;
            /** @description The request path */
            instance?: string;
            /** @description One entry per invalid input (validation problems only) */
            errors?: components["schemas"]["ProblemError"][];
        };
        /**
         * @description Pass it as `cursor` to get the next page; `null` on the last page
         * @example dXNlcnM6M2YyYThjMWUtNWI3ZC00ZTlhLTljMWYtMmQ0YjZhOGUwZjEz
         */
        NextCursor: string | null;
        /** @description One invalid input of a validation problem */
        ProblemError: {
            /** @example /params/chargepointId */
            path?: string;
            message: string;
            errorCode?: string;
        };
        Freshness: {
            /**
             * Format: date-time
             * @description When the gateway last received a value of this object; `null` if never
             */
            updatedAt: string | null;
            /** @description True when no value was received for `STALE_AFTER_S` seconds (or never) */
            stale: boolean;
        };
        /**
         * @description Current per phase L1, L2, L3, A (`null` for a phase openWB did not report)
         * @example [
         *       16,
         *       16,
         *       16
         *     ]
         */
        PhaseCurrents: (number | null)[] | null;
        /**
         * @description Voltage per phase L1, L2, L3, V (`null` for a phase openWB did not report)
         * @example [
         *       230.1,
         *       229.8,
         *       231
         *     ]
         */
        PhaseVoltages: (number | null)[] | null;
        /**
         * @description The charge mode, `null` while unknown.
         *
         *     | value | openWB 2.x (`chargemode.selected` of the chargepoint's charge template) | openWB 1.9 (`openWB/global/ChargeMode`, global for all chargepoints) |
         *     |---|---|---|
         *     | `instant` | `instant_charging` | `0` Sofortladen |
         *     | `pv` | `pv_charging` with `pv_charging.min_current` = 0 | `2` Nur PV |
         *     | `minPv` | `pv_charging` with `pv_charging.min_current` > 0 | `1` Min+PV |
         *     | `eco` | `eco_charging` (≥ 2.1.8) | – |
         *     | `scheduled` | `scheduled_charging` | – |
         *     | `stop` | `stop` | `3` Stop |
         *     | `standby` | `standby` (≤ 2.1.7 only) | `4` Standby |
         * @enum {string|null}
         */
        ChargeMode: "instant" | "pv" | "minPv" | "eco" | "scheduled" | "stop" | "standby" | null;
        /**
         * @description openWB `fault_state` 0 = ok, 1 = warning, 2 = error (1.9 `faultState` likewise)
         * @enum {string}
         */
        FaultState: "ok" | "warning" | "error";
        ChargePoint: {
            id: components["schemas"]["EntityId"];
            /** @example Garage */
            name: string | null;
            /**
             * Format: double
             * @description Active charging power, W
             * @example 11040
             */
            power: number | null;
            currents: components["schemas"]["PhaseCurrents"];
            voltages: components["schemas"]["PhaseVoltages"];
            /**
             * Format: int32
             * @description Number of phases in use (openWB keeps the last value while idle)
             */
            phasesInUse: number | null;
            /**
             * Format: double
             * @description Meter total of energy charged, Wh
             * @example 1250030.67
             */
            energyImported: number | null;
            /**
             * Format: double
             * @description Meter total of energy discharged (bidirectional charging), Wh
             * @example 0
             */
            energyExported: number | null;
            /**
             * Format: double
             * @description Energy charged today, Wh (openWB recalculates it every 5 minutes)
             * @example 8520
             */
            energyToday: number | null;
            /** @description A vehicle is plugged in */
            plugged: boolean | null;
            /** @description The vehicle actually draws current */
            charging: boolean | null;
            /** @description The chargepoint is locked (2.x `manual_lock`; 1.9 `ChargePointEnabled` = 0) */
            locked: boolean | null;
            /**
             * Format: double
             * @description Target current chosen by openWB's control loop, A (0 = charging not allowed)
             * @example 16
             */
            setCurrent: number | null;
            chargeMode: components["schemas"]["ChargeMode"];
            /**
             * @description RFID tag bound to the current plug-in session
             * @example 04A1B2C3
             */
            rfidTag: string | null;
            vehicle: components["schemas"]["ChargePointVehicle"];
            fault: components["schemas"]["ChargePointFault"];
            /**
             * @description openWB's human-readable status (German, as openWB publishes it)
             * @example Fahrzeug lädt.
             */
            statusText: string | null;
            /**
             * Format: date-time
             * @description When the gateway last received a value of this chargepoint
             */
            updatedAt: string | null;
            /** @description No value received for `STALE_AFTER_S` seconds */
            stale: boolean;
        };
        ChargePointFault: {
            state: components["schemas"]["FaultState"];
            /** @example Kein Fehler. */
            message: string | null;
        } | null;
        /** @description The vehicle openWB uses on this chargepoint; `null` while unknown */
        ChargePointVehicle: {
            /** @example 1 */
            id: string | null;
            /** @example e-Golf */
            name: string | null;
            /**
             * Format: double
             * @description State of charge, %
             * @example 55
             */
            soc: number | null;
        } | null;
        ChargePointList: {
            items: components["schemas"]["ChargePoint"][];
        };
        Grid: components["schemas"]["Freshness"] & {
            /**
             * Format: double
             * @description Grid power, W, + = import, − = export
             * @example 1520.5
             */
            power: number | null;
            /**
             * Format: double
             * @description Meter total imported from the grid, Wh
             */
            energyImported: number | null;
            /**
             * Format: double
             * @description Meter total exported to the grid, Wh
             */
            energyExported: number | null;
        };
        Pv: components["schemas"]["Freshness"] & {
            /**
             * Format: double
             * @description PV power, W, positive while producing
             * @example 5230
             */
            power: number | null;
            /**
             * Format: double
             * @description Yield today, Wh
             */
            energyToday: number | null;
            /**
             * Format: double
             * @description Total yield (meter), Wh
             */
            energyTotal: number | null;
        };
        Battery: components["schemas"]["Freshness"] & {
            /**
             * Format: double
             * @description Battery power, W, + = charging, − = discharging
             * @example 1500
             */
            power: number | null;
            /**
             * Format: double
             * @description State of charge, %
             * @example 78
             */
            soc: number | null;
            /**
             * Format: double
             * @description Total energy charged into the battery, Wh
             */
            energyImported: number | null;
            /**
             * Format: double
             * @description Total energy discharged from the battery, Wh
             */
            energyExported: number | null;
        };
        Home: components["schemas"]["Freshness"] & {
            /**
             * Format: double
             * @description House consumption (without chargepoints and battery), W
             * @example 480
             */
            power: number | null;
            /**
             * Format: double
             * @description House consumption today, Wh
             */
            energyToday: number | null;
        };
        Site: {
            grid: components["schemas"]["Grid"];
            pv: components["schemas"]["Pv"];
            battery: components["schemas"]["Battery"];
            home: components["schemas"]["Home"];
        };
        Vehicle: components["schemas"]["Freshness"] & {
            id: components["schemas"]["EntityId"];
            /** @example e-Golf */
            name: string | null;
            /**
             * Format: double
             * @description State of charge, %
             * @example 55
             */
            soc: number | null;
            /**
             * Format: double
             * @description Remaining range, km
             * @example 210.5
             */
            range: number | null;
            /**
             * Format: date-time
             * @description When the vehicle's SoC module last read the SoC (as openWB reports it)
             */
            socUpdatedAt: string | null;
        };
        VehicleList: {
            items: components["schemas"]["Vehicle"][];
        };
        System: {
            openwb: components["schemas"]["SystemOpenWb"];
            broker: components["schemas"]["SystemBroker"];
            gateway: components["schemas"]["SystemGateway"];
        };
        SystemGateway: {
            /** @example 0.1.0 */
            version: string;
            startedAt: components["schemas"]["Timestamp"];
            liveStore: components["schemas"]["LiveStoreKind"];
        };
        /**
         * @description Where the gateway keeps the latest values
         * @enum {string}
         */
        LiveStoreKind: "redis" | "memory";
        SystemBroker: {
            /** @description This gateway instance is connected to the openWB broker */
            connected: boolean;
            /**
             * Format: date-time
             * @description When this instance last received a message from openWB
             */
            lastMessageAt: string | null;
            /**
             * Format: int64
             * @description Messages this instance received since it started
             */
            messagesReceived: number;
            /**
             * Format: int64
             * @description Messages this instance refused at the edge of ingest (an id openWB would not write, a malformed or oversized payload, a value out of bounds); by reason in `openwb_mqtt_refused_total`
             */
            decodeErrors: number;
        };
        SystemOpenWb: {
            generation: components["schemas"]["OpenWbGeneration"];
            configuredGeneration: components["schemas"]["OpenWbGenerationSetting"];
            /**
             * @description openWB software version (`openWB/system/version`, 1.9 `openWB/system/Version`)
             * @example 2.2.2
             */
            version: string | null;
            /**
             * Format: date-time
             * @description When the gateway last received openWB's heartbeat topic
             */
            lastHeartbeatAt: string | null;
        };
        /**
         * @description The `OPENWB_GENERATION` setting
         * @enum {string}
         */
        OpenWbGenerationSetting: "auto" | "2" | "1.9";
        /**
         * @description openWB generation in use (configured, or detected from the topics seen); `null` until detected
         * @enum {string|null}
         */
        OpenWbGeneration: "2" | "1.9" | null;
        /**
         * @description A stream ticket (single use, short-lived)
         * @example st_4f1c2a9be07d48b3a5c6e1f09d27b8aa3c5e7f91b2d4a6c8
         */
        StreamTicketValue: string;
        StreamTicket: {
            ticket: components["schemas"]["StreamTicketValue"];
            /**
             * Format: date-time
             * @description When the ticket stops working if unused
             * @example 2026-05-20T12:00:30.000Z
             */
            expiresAt: string;
        };
        /**
         * Format: int64
         * @description Number of the message on this connection: 1 for the snapshot, then one more per message
         * @example 1
         */
        StreamSeq: number;
        /**
         * @description Which REST object a change is about: a `ChargePoint`, a `Vehicle`, one part of the `Site` (id `grid`, `pv`, `battery` or `home`), or the `System` (id `openwb`)
         * @example chargepoint
         * @enum {string}
         */
        StreamObjectKind: "chargepoint" | "vehicle" | "site" | "system";
        /**
         * @description Sent first on every connection: the same bodies as the REST reads, chargepoints limited to those the
         *     caller may use (and to `chargepoints`, when the connection narrows them). `chargepoints`, `site` and
         *     `vehicles` come when the connection receives `values` (the default); `system` always (its `broker`
         *     is where `connection` events start from).
         */
        StreamSnapshot: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "snapshot";
            seq: components["schemas"]["StreamSeq"];
            /** @description As `GET /api/v1/chargepoints` (its `items`) */
            chargepoints?: components["schemas"]["ChargePoint"][];
            site?: components["schemas"]["Site"];
            /** @description As `GET /api/v1/vehicles` (its `items`) */
            vehicles?: components["schemas"]["Vehicle"][];
            system: components["schemas"]["System"];
        };
        /**
         * @description Some fields of one object changed. `fields` maps each changed property of the object's REST schema to
         *     its new value and the time the gateway received it; properties not named are unchanged. While a
         *     client reads slower than changes arrive, changes of one object are merged (the latest value wins).
         */
        StreamChanged: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "changed";
            seq: components["schemas"]["StreamSeq"];
            kind: components["schemas"]["StreamObjectKind"];
            id: components["schemas"]["EntityId"];
            /**
             * @description Changed properties of the object, named as in its REST schema
             * @example {
             *       "power": {
             *         "value": 11040,
             *         "updatedAt": "2026-05-20T12:00:40.000Z"
             *       }
             *     }
             */
            fields: {
                [key: string]: components["schemas"]["StreamFieldValue"];
            };
            /**
             * Format: date-time
             * @description The object's `updatedAt` after the change
             * @example 2026-05-20T12:00:40.000Z
             */
            updatedAt: string | null;
            /**
             * @description The object's `stale` after the change
             * @example false
             */
            stale: boolean;
        };
        StreamFieldValue: {
            /**
             * @description The new value, typed as the property of the REST schema (`null`: no value)
             * @example 11040
             */
            value: unknown;
            /**
             * Format: date-time
             * @description When the gateway received this value
             * @example 2026-05-20T12:00:40.000Z
             */
            updatedAt: string | null;
        };
        /** @description The values of one object turned stale (nothing received for `STALE_AFTER_S`); pushed when it happens */
        StreamStale: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "stale";
            seq: components["schemas"]["StreamSeq"];
            kind: components["schemas"]["StreamObjectKind"];
            id: components["schemas"]["EntityId"];
            /**
             * Format: date-time
             * @description When the gateway last received a value of the object
             * @example 2026-05-20T12:00:40.000Z
             */
            updatedAt: string | null;
        };
        /** @description openWB no longer publishes the object (retired after `RETIRE_AFTER_S` of silence, or its topics deleted): it left the REST lists; drop it */
        StreamRemoved: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "removed";
            seq: components["schemas"]["StreamSeq"];
            kind: components["schemas"]["StreamObjectKind"];
            id: components["schemas"]["EntityId"];
        };
        /** @description The client sent something the stream does not accept; the connection stays open */
        StreamError: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "error";
            seq: components["schemas"]["StreamSeq"];
            code: components["schemas"]["StreamErrorCode"];
            /** @example The stream accepts no messages from clients */
            message: string;
        };
        /**
         * @description Stable code: `unsupported-message` for anything a client sends but a `subscribe`; `invalid-subscription` for a `subscribe` the stream cannot follow (the connection keeps what it received before)
         * @example unsupported-message
         * @enum {string}
         */
        StreamErrorCode: "unsupported-message" | "invalid-subscription";
        /**
         * @description `values`: the snapshot objects and their `changed`, `stale` and `removed` messages; `events`: all of `sessions`, `commands`, `rfid` and `connection`
         * @example values
         * @enum {string}
         */
        StreamTopic: "values" | "events" | "sessions" | "commands" | "rfid" | "connection";
        /**
         * @description `started`: the vehicle was plugged in; `updated`: the recorder stored new figures (at most once per `RECORD_INTERVAL_S`, only when something changed); `ended`: unplugged
         * @example updated
         * @enum {string}
         */
        StreamSessionChange: "started" | "updated" | "ended";
        /**
         * @description A charging session started, changed or ended, as `GET /api/v1/sessions/{sessionId}` returns it. Users
         *     receive only sessions attributed to them (through their RFID profiles) on chargepoints they may use;
         *     a session is attributed after its start, so a user's first event of a session may be `updated`.
         */
        StreamSessionEvent: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "session";
            seq: components["schemas"]["StreamSeq"];
            change: components["schemas"]["StreamSessionChange"];
            session: components["schemas"]["Session"];
        };
        /**
         * @description A command to openWB was sent (`pending`, or `sent` when openWB shows nothing to confirm it) or reached
         *     its outcome (`applied`, `timeout`), as `GET /api/v1/commands/{commandId}` returns it. Users receive
         *     only their own commands (and those their RFID profiles ran) on chargepoints they may use.
         */
        StreamCommandEvent: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "command";
            seq: components["schemas"]["StreamSeq"];
            command: components["schemas"]["Command"];
        };
        /**
         * @description An RFID tag was scanned (`outcome` `pending` while its profile's preset is applied), then its outcome,
         *     as `GET /api/v1/rfid-events` lists it. Users receive only scans of their own tags on chargepoints they
         *     may use; a scan of a tag no profile has reaches admins only.
         */
        StreamRfidEvent: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "rfid";
            seq: components["schemas"]["StreamSeq"];
            rfidEvent: components["schemas"]["RfidEvent"];
        };
        /**
         * @description The gateway's connection to the openWB broker was lost (`connected: false`) or is back. It is the
         *     connection the streamed values come from: on an instance that reads openWB's broker its own (the same
         *     as `system.broker.connected` of `GET /api/v1/system` there); on an instance that has read nothing from
         *     the broker (its values come through Redis), that of the instances that read it. Every client receives it.
         */
        StreamConnectionEvent: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "connection";
            seq: components["schemas"]["StreamSeq"];
            /**
             * @description Whether the gateway is connected to the openWB broker now
             * @example false
             */
            connected: boolean;
            at: components["schemas"]["Timestamp"];
        };
        /**
         * @description Sent by a client on the WebSocket to change what it receives, as `?chargepoints=` and `?topics=` do on
         *     the URL: it replaces the connection's narrowing (an absent property: not narrowed) and is answered
         *     with a fresh `snapshot` under the new narrowing, then its changes and events.
         */
        StreamSubscribe: {
            /**
             * @example subscribe
             * @enum {string}
             */
            type: "subscribe";
            /**
             * @description Only these chargepoints' values and events (absent - every chargepoint the caller may use)
             * @example [
             *       "3"
             *     ]
             */
            chargepoints?: components["schemas"]["EntityId"][];
            /**
             * @description What to receive (absent: `values` and `events`)
             * @example [
             *       "values",
             *       "commands"
             *     ]
             */
            topics?: components["schemas"]["StreamTopic"][];
        };
        /** @description Any message of the stream, told apart by `type` (for typed clients decoding a frame) */
        StreamMessage: components["schemas"]["StreamSnapshot"] | components["schemas"]["StreamChanged"] | components["schemas"]["StreamStale"] | components["schemas"]["StreamRemoved"] | components["schemas"]["StreamSessionEvent"] | components["schemas"]["StreamCommandEvent"] | components["schemas"]["StreamRfidEvent"] | components["schemas"]["StreamConnectionEvent"] | components["schemas"]["StreamError"];
        /** @description DateTimeParam without an example, where a pre-filled value would collide with another parameter (Swagger UI fills examples) */
        PeriodBound: string;
        /** @example 2026-03-01T00:00:00+01:00 */
        DateTimeParam: string;
        /**
         * Format: date-time
         * @description ISO 8601 with the offset of the requested time zone at that instant
         * @example 2026-03-29T00:00:00.000+01:00
         */
        LocalTimestamp: string;
        /**
         * Format: uuid
         * @example 5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44
         */
        SessionId: string;
        /**
         * @description A charge mode seen during the session (see `ChargeMode`); `time` is openWB 2.x time charging, which appears only in imported charge-log entries
         * @enum {string}
         */
        SessionChargeMode: "instant" | "pv" | "minPv" | "eco" | "scheduled" | "time" | "stop" | "standby";
        /**
         * @description One plug-in → unplug on a chargepoint. Detected from the live values: a session starts at the first
         *     recorder tick that sees the vehicle plugged and ends at the first tick that sees it unplugged (so
         *     times have the recorder's `RECORD_INTERVAL_S` resolution). A gateway restart or broker outage does
         *     not split a session: the open session is kept in the database and continued while the chargepoint
         *     is still plugged; if it is found unplugged after a gap, `end` is the last time it was seen plugged.
         *     Stale values (not refreshed for `STALE_AFTER_S`) are ignored, exactly as the live API marks them.
         *
         *     Sessions imported from openWB 2.x's charge log take openWB's own figures: `start`/`end` from the
         *     entry's times (local times read in `TIME_ZONE`), `meanPower` from openWB's average, `peakPower` null;
         *     entries that openWB wrote at a charge-mode switch while charging went on are joined into one session.
         *
         *     `quality` says how far `energy` can be trusted, in the words of the history buckets; `correction`
         *     holds what a user changed afterwards (`PATCH /api/v1/sessions/{sessionId}`), next to what was recorded.
         */
        Session: {
            id: components["schemas"]["SessionId"];
            chargepointId: components["schemas"]["EntityId"];
            start: components["schemas"]["Timestamp"];
            /**
             * Format: date-time
             * @description `null` while the vehicle is still plugged in
             */
            end: string | null;
            /**
             * Format: double
             * @description Energy charged, Wh: the sum of the chargepoint meter's plausible increases during the session. A glitch (the meter briefly reading 0, or a spike beyond `METER_MAX_POWER_CHARGEPOINT_W`) counts nothing; a meter reset or replacement, recognised by 5 readings and a minute counting on from a new level, counts 0 across it and never negative
             * @example 22080
             */
            energy: number;
            /**
             * Format: int32
             * @description Seconds during which the vehicle actually drew current (openWB `charge_state`), as observed by the recorder at every tick: an interval that began while charging counts whole; one in which charging began (or a gap in the data: outage, restart) counts the time its energy took at `peakPower`, at most the interval. Never less than `energy` needs at `peakPower` (within the session). Imported sessions: openWB's `time_charged` (minute resolution).
             * @example 7200
             */
            chargingTime: number;
            /**
             * Format: double
             * @description Mean power while charging, W: `energy` / `chargingTime`, never above `peakPower`; `null` before any charging
             * @example 11040
             */
            meanPower: number | null;
            /**
             * Format: double
             * @description Highest power sampled, W, or the meter's mean power over the charging time when that is higher (the power topic lagging the meter); `null` when unknown (e.g. imported from openWB's charge log)
             * @example 11090
             */
            peakPower: number | null;
            /**
             * Format: double
             * @description Vehicle state of charge at the first reading of the session, %
             * @example 40
             */
            socStart: number | null;
            /**
             * Format: double
             * @description Vehicle state of charge at the last reading of the session, %
             * @example 76
             */
            socEnd: number | null;
            /** @description Charge modes seen during the session, in the order first seen */
            chargeModes: components["schemas"]["SessionChargeMode"][];
            /**
             * @description RFID tag bound to the session (the last one seen)
             * @example 04A1B2C3
             */
            rfidTag: string | null;
            vehicle: components["schemas"]["SessionVehicle"];
            user: components["schemas"]["SessionUser"];
            /**
             * Format: double
             * @description Cost in the currency of `TARIFF_CURRENCY` (default EUR), rounded to 4 decimals: each energy step
             *     priced at the tariff in force at that time of day (`TARIFF_PRICE_PER_KWH`, `TARIFF_SCHEDULE`, local
             *     times in `TIME_ZONE`). Imported sessions carry openWB's own `costs`. `null` when no tariff is configured.
             * @example 6.624
             */
            cost: number | null;
            quality: components["schemas"]["SessionQuality"];
            correction: components["schemas"]["SessionCorrection"];
        };
        /** @description The gateway user the session belongs to: the owner of the RFID profile whose tag was scanned for it; `null` when none was */
        SessionUser: {
            id: string;
            name: string | null;
        } | null;
        /** @description The vehicle of the session: the one a correction names, else the one openWB assigned (the last one seen); `null` when unknown */
        SessionVehicle: {
            /** @example 1 */
            id: string | null;
            /** @example e-Golf */
            name: string | null;
        } | null;
        /** @description A field left out stays as it is; `null` withdraws it */
        SessionCorrectionUpdate: {
            /**
             * @description The openWB vehicle id the session was for
             * @example 2
             */
            vehicleId?: string | null;
            /**
             * @description Free text, at most 500 characters (line breaks allowed, other control characters not)
             * @example private use
             */
            note?: string | null;
        };
        /**
         * @description How far the session's `energy` can be trusted, judged by the same meter-counter rules as the history
         *     buckets' `quality`. `measured`: every meter reading of the session was plausible. `corrected`:
         *     implausible readings (a glitch such as the meter briefly reading 0, a spike) were held back and the
         *     energy comes from the plausible readings around them. `incomplete`: the meter was reset or replaced
         *     during the session; what it counted between its last reading before and its first reading after is
         *     unknown and counts 0, so `energy` may be too small. `null`: the gateway saw no meter reading of the
         *     session (imported from openWB's charge log, recorded before the gateway kept quality, or no meter).
         * @example measured
         * @enum {string|null}
         */
        SessionQuality: "measured" | "corrected" | "incomplete" | null;
        /**
         * @description A correction of the session by its user (or an admin): another vehicle and/or a note such as
         *     "private use". The session's `vehicle` is the corrected one; `original` keeps what was recorded.
         *     `null` when the session was never corrected (or the correction was withdrawn).
         */
        SessionCorrection: {
            /**
             * @description The vehicle the user says was charged; `null` when the correction leaves the vehicle as recorded
             * @example 2
             */
            vehicleId: string | null;
            /**
             * @description Free text of the user, e.g. why the session is corrected
             * @example private use
             */
            note: string | null;
            correctedAt: components["schemas"]["Timestamp"];
            correctedBy: components["schemas"]["SessionCorrector"];
            original: components["schemas"]["SessionOriginal"];
        } | null;
        /** @description What the recorder (or the charge-log import) recorded */
        SessionOriginal: {
            vehicle: components["schemas"]["SessionVehicle"];
        };
        /** @description Who made the last change: a user (their id and name) or an API key (its id and name) */
        SessionCorrector: {
            type: components["schemas"]["CorrectorKind"];
            id: string;
            name: string | null;
        };
        /**
         * @description Who made a session correction
         * @enum {string}
         */
        CorrectorKind: "user" | "apiKey";
        SessionList: {
            items: components["schemas"]["Session"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        SessionTotals: {
            /**
             * Format: int32
             * @description Number of sessions
             */
            count: number;
            /**
             * Format: double
             * @description Energy charged, Wh
             */
            energy: number;
            /**
             * Format: double
             * @description Sum of the sessions' cost (see `Session.cost`), rounded to 4 decimals; `null` when a session in the bucket has no cost
             */
            cost: number | null;
            /**
             * Format: int64
             * @description Seconds actually charging
             */
            chargingTime: number;
        };
        SessionSummaryBucket: {
            start: components["schemas"]["LocalTimestamp"];
            /**
             * Format: int32
             * @description Number of sessions
             */
            count: number;
            /**
             * Format: double
             * @description Energy charged, Wh
             */
            energy: number;
            /**
             * Format: double
             * @description Sum of the sessions' cost (see `Session.cost`), rounded to 4 decimals; `null` when a session in the bucket has no cost
             */
            cost: number | null;
            /**
             * Format: int64
             * @description Seconds actually charging
             */
            chargingTime: number;
        };
        SessionSummary: {
            interval: components["schemas"]["SummaryInterval"];
            /** @example Europe/Berlin */
            timeZone: string;
            start: components["schemas"]["LocalTimestamp"];
            end: components["schemas"]["LocalTimestamp"];
            /**
             * @description ISO 4217 code of `cost` (`TARIFF_CURRENCY`)
             * @example EUR
             */
            currency: string;
            items: components["schemas"]["SessionSummaryBucket"][];
            totals: components["schemas"]["SessionTotals"];
        };
        /**
         * @description Bucket size of the session summary, in `tz`
         * @enum {string}
         */
        SummaryInterval: "day" | "week" | "month" | "year";
        /**
         * @description A series id such as `chargepoint.3.power`
         * @example chargepoint.3.energyImported
         */
        SeriesId: string;
        /**
         * @description `power` (W, sampled), `energy` (Wh meter counter), `soc` (state of charge, %)
         * @enum {string}
         */
        SeriesKind: "power" | "energy" | "soc";
        /**
         * @description Bucket size: 5 minutes (`5min`, as `duration` spells minutes; `5m` is the older spelling, still accepted and answered as sent), hour, day, ISO week (Monday), calendar month or year, in `tz`
         * @default day
         * @enum {string}
         */
        HistoryInterval: "5min" | "hour" | "day" | "week" | "month" | "year" | "5m";
        /**
         * @description A figure of a history bucket
         * @enum {string}
         */
        HistoryField: "energy" | "avgPower" | "maxPower" | "minPower" | "avgSoc" | "minSoc" | "maxSoc";
        /** @description One bucket; only the requested fields that apply to the series are present, `null` when the bucket has no samples */
        HistoryPoint: {
            start: components["schemas"]["LocalTimestamp"];
            /**
             * Format: double
             * @description Energy in the bucket from meter-counter increases, Wh. Only plausible readings count: a reading below
             *     the last trusted one, or above what the series' maximum power (`METER_MAX_POWER_CHARGEPOINT_W`,
             *     `METER_MAX_POWER_SITE_W`) allows since it, is held back; if the counter comes back it was a glitch and
             *     counts nothing, if it keeps counting from the new level for 5 readings and a minute it is a meter
             *     reset or replacement (or a register rollover, counted exactly). `quality` says which happened.
             */
            energy?: number | null;
            quality?: components["schemas"]["SessionQuality"];
            /**
             * Format: double
             * @description Mean of the power samples, W
             */
            avgPower?: number | null;
            /**
             * Format: double
             * @description Highest power sample, W
             */
            maxPower?: number | null;
            /**
             * Format: double
             * @description Lowest power sample, W
             */
            minPower?: number | null;
            /**
             * Format: double
             * @description Mean state of charge, %
             */
            avgSoc?: number | null;
            /**
             * Format: double
             * @description Lowest state of charge, %
             */
            minSoc?: number | null;
            /**
             * Format: double
             * @description Highest state of charge, %
             */
            maxSoc?: number | null;
        };
        HistorySeries: {
            id: components["schemas"]["SeriesId"];
            kind: components["schemas"]["SeriesKind"];
            unit: components["schemas"]["SeriesUnit"];
            points: components["schemas"]["HistoryPoint"][];
        };
        /**
         * @description Unit of a history series' values
         * @enum {string}
         */
        SeriesUnit: "W" | "Wh" | "%";
        History: {
            start: components["schemas"]["LocalTimestamp"];
            end: components["schemas"]["LocalTimestamp"];
            interval: components["schemas"]["HistoryInterval"];
            /** @example Europe/Berlin */
            timeZone: string;
            series: components["schemas"]["HistorySeries"][];
        };
        HistorySeriesInfo: {
            id: components["schemas"]["SeriesId"];
            kind: components["schemas"]["SeriesKind"];
            unit: components["schemas"]["SeriesUnit"];
            /**
             * Format: date-time
             * @description Time of the first sample written
             */
            firstSampleAt: string | null;
            /**
             * Format: date-time
             * @description Time of the latest sample written
             */
            lastSampleAt: string | null;
        };
        HistorySeriesList: {
            items: components["schemas"]["HistorySeriesInfo"][];
        };
        /**
         * @description The statistics recorder of this instance. `ok` is false while samples wait in the outage buffer,
         *     once any were lost because the buffer (`RECORDER_BUFFER_SIZE`) overflowed since the instance
         *     started, or while the recorder is stalled. Only `stalled` changes `status` (an unreachable
         *     database already does through the `database` check).
         */
        RecorderCheck: {
            ok: boolean;
            detail?: string;
            /** @description This instance holds the recorder lock and records (exactly one instance does when several share Redis) */
            active: boolean;
            /**
             * Format: int64
             * @description Samples waiting for the database
             */
            bufferedSamples: number;
            /**
             * Format: int32
             * @description Session updates waiting for the database
             */
            bufferedSessions: number;
            /**
             * Format: int64
             * @description Samples dropped because the buffer was full, since the instance started
             */
            lostSamples: number;
            /**
             * Format: int64
             * @description Session updates dropped because the buffer was full, since the instance started
             */
            lostSessions: number;
            /**
             * @description This instance records but has not completed a write for three recording intervals (`RECORD_INTERVAL_S`); `detail` says why. Makes the readiness `status` `unavailable`
             * @example false
             */
            stalled: boolean;
            /**
             * Format: date-time
             * @description When the recorder last completed a write to the database; `null` before its first since start
             * @example 2026-05-20T12:00:40.000Z
             */
            lastWriteAt: string | null;
        };
        Liveness: {
            /** @enum {string} */
            status: "ok";
        };
        Readiness: {
            status: components["schemas"]["ReadinessStatus"];
            checks: components["schemas"]["ReadinessChecks"];
        };
        /**
         * @description Whether the gateway can serve requests
         * @enum {string}
         */
        ReadinessStatus: "ready" | "unavailable";
        ReadinessChecks: {
            broker: components["schemas"]["Check"];
            liveStore: components["schemas"]["Check"];
            database: components["schemas"]["Check"];
            recorder?: components["schemas"]["RecorderCheck"];
        };
        Check: {
            ok: boolean;
            detail?: string;
            /** Format: double */
            latencyMs?: number;
        };
        /**
         * Format: uuid
         * @example 3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b
         */
        Uuid: string;
        /**
         * @description `admin`: everything, every chargepoint; `user`: read and control the allowed chargepoints, manage own keys
         * @enum {string}
         */
        Role: "admin" | "user";
        /**
         * @description `read`: GET operations; `control`: changes (commands, own keys); `admin`: everything (users, audit, metrics); `energsync`: the EnergSync operations and nothing else (admins only may hand it out); `device`: the scope of a key bound to one device (created on the device, never here), which reaches that device's operations only
         * @enum {string}
         */
        Scope: "read" | "control" | "admin" | "energsync" | "device";
        /** @description Chargepoint ids */
        ChargePointIds: components["schemas"]["EntityId"][];
        /**
         * Format: password
         * @description A password (never returned, never logged)
         */
        Password: string;
        LoginRequest: {
            /** @example alice */
            username: string;
            password: components["schemas"]["Password"];
        };
        /** @description An opaque refresh token (use once; stored by the gateway only as a hash) */
        RefreshToken: string;
        RefreshRequest: {
            refreshToken: components["schemas"]["RefreshToken"];
        };
        LogoutRequest: {
            refreshToken?: components["schemas"]["RefreshToken"];
        };
        TokenPair: {
            /** @description JWT (EdDSA), send as `Authorization: Bearer <accessToken>` */
            accessToken: string;
            refreshToken: components["schemas"]["RefreshToken"];
            /**
             * Format: int32
             * @description Lifetime of the access token, seconds
             * @example 900
             */
            expiresIn: number;
        };
        PasswordChange: {
            currentPassword: components["schemas"]["Password"];
            /**
             * Format: password
             * @description 12 to 128 characters
             * @example correct horse battery staple
             */
            newPassword: string;
        };
        CurrentPrincipal: {
            kind: components["schemas"]["CredentialKind"];
            /**
             * Format: uuid
             * @description The user; `null` for system keys (created with the CLI, acting as admin)
             */
            userId: string | null;
            /** @description Username (the key name for system keys) */
            name: string;
            role: components["schemas"]["Role"];
            /** @description Effective scopes (the key's, cut down to the role's) */
            scopes: components["schemas"]["Scope"][];
            /** @description Chargepoints these credentials may use; `null` = all */
            chargepoints: components["schemas"]["EntityId"][] | null;
            /**
             * Format: uuid
             * @description The API key used; `null` for access tokens
             */
            keyId: string | null;
        };
        /**
         * @description `apiKey` for API keys, `token` for access tokens
         * @enum {string}
         */
        CredentialKind: "apiKey" | "token";
        User: {
            id: components["schemas"]["Uuid"];
            /** @example alice */
            name: string;
            role: components["schemas"]["Role"];
            /** @description Chargepoints a `user` may see and control (admins: all, whatever this says) */
            chargepoints: components["schemas"]["EntityId"][];
            /** @description A disabled user cannot log in; their tokens and keys are refused */
            disabled: boolean;
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        /** @description One page, in the list's order */
        UserList: {
            items: components["schemas"]["User"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        NewUser: {
            /**
             * @description Username, case-insensitive (stored in lower case)
             * @example alice
             */
            name: string;
            role: components["schemas"]["Role"];
            /**
             * Format: password
             * @description 12 to 128 characters
             * @example correct horse battery staple
             */
            password: string;
            chargepoints?: components["schemas"]["ChargePointIds"];
        };
        UserUpdate: {
            role?: components["schemas"]["Role"];
            /**
             * Format: password
             * @description A new password (ends every session of the user)
             * @example correct horse battery staple
             */
            password?: string;
            chargepoints?: components["schemas"]["ChargePointIds"];
            disabled?: boolean;
        };
        ApiKey: {
            id: components["schemas"]["Uuid"];
            /** @example phone */
            name: string;
            /**
             * @description The public start of the key, to tell keys apart
             * @example owg_k3x9m2pq
             */
            prefix: string;
            scopes: components["schemas"]["Scope"][];
            device: components["schemas"]["DeviceBinding"];
            /** @description Narrows the owner's chargepoints to these; `null` = the owner's */
            chargepoints: components["schemas"]["EntityId"][] | null;
            /**
             * Format: uuid
             * @description The owner; `null` for system keys
             */
            userId: string | null;
            createdAt: components["schemas"]["Timestamp"];
            /** Format: date-time */
            expiresAt: string | null;
            /**
             * Format: date-time
             * @description Last use, recorded at most once a minute
             */
            lastUsedAt: string | null;
            /** Format: date-time */
            revokedAt: string | null;
        };
        /** @description The one device a key is bound to (it reaches only that device's operations); `null` for other keys */
        DeviceBinding: {
            kind: components["schemas"]["DeviceKind"];
            id: components["schemas"]["DeviceId"];
        } | null;
        /**
         * @description The kind of device a key is bound to: a pulse meter (`/api/v1/meters`) or a measurement series (`/api/v1/series`)
         * @example meter
         * @enum {string}
         */
        DeviceKind: "meter" | "series";
        /**
         * @description The id of the device a key is bound to
         * @example 3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b
         */
        DeviceId: string;
        /** @description A key for one device: it gets the `device` scope and the binding, and can call only that device's operations */
        NewDeviceKey: {
            /** @example kitchen-esp8266 */
            name: string;
            /**
             * Format: date-time
             * @description Expiry (omit for none)
             * @example 2027-12-31T23:59:59Z
             */
            expiresAt?: string;
        };
        /** @description One page, in the list's order */
        ApiKeyList: {
            items: components["schemas"]["ApiKey"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        NewApiKey: {
            /** @example phone */
            name: string;
            scopes: components["schemas"]["Scope"][];
            /** @description Only these of the owner's chargepoints (omit for all of them) */
            chargepoints?: components["schemas"]["EntityId"][];
            /**
             * Format: date-time
             * @description Expiry (omit for none)
             * @example 2027-12-31T23:59:59Z
             */
            expiresAt?: string;
        };
        CreatedApiKey: {
            /** @description The key, shown only this once: send it in the `x-api-key` header */
            key: string;
            apiKey: components["schemas"]["ApiKey"];
        };
        AuditEntry: {
            id: string;
            at: components["schemas"]["Timestamp"];
            /** @example auth.login */
            action: string;
            outcome: components["schemas"]["AuditOutcome"];
            actor: components["schemas"]["AuditActor"];
            target: components["schemas"]["AuditTarget"];
            /** @description Client address (behind a proxy as configured with `TRUST_PROXY`) */
            ip: string | null;
            userAgent: string | null;
            /** @description Facts of the action (never secrets) */
            detail: {
                [key: string]: string;
            } | null;
        };
        /**
         * @description Whether the audited action succeeded
         * @enum {string}
         */
        AuditOutcome: "success" | "failure";
        AuditTarget: {
            type: string;
            id: string;
        } | null;
        AuditActor: {
            type: components["schemas"]["AuditActorKind"];
            id: string | null;
            name: string | null;
        };
        /**
         * @description Who acted
         * @enum {string}
         */
        AuditActorKind: "user" | "apiKey" | "system" | "anonymous";
        AuditPage: {
            items: components["schemas"]["AuditEntry"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        /**
         * Format: int32
         * @description Current, A (6–32)
         * @example 16
         */
        Ampere: number;
        ChargeModeRequest: {
            mode: components["schemas"]["ChargeModeSetting"];
            /** @description Only with `minPv` (openWB 2.x): the minimum current, A; default the last one used on this chargepoint, else 6 */
            minCurrent?: components["schemas"]["Ampere"];
        };
        /**
         * @description The new charge mode (see `ChargeMode` for the openWB values; `standby` no longer exists in openWB 2.x)
         * @example minPv
         * @enum {string}
         */
        ChargeModeSetting: "instant" | "pv" | "minPv" | "eco" | "scheduled" | "stop";
        /** @description Stop charging at a SoC (`soc`, %, needs a vehicle SoC) or after an amount of energy since plugging in (`energy`, Wh) */
        ChargeLimit: {
            type: components["schemas"]["ChargeLimitKind"];
            /**
             * Format: int32
             * @description Target SoC, % (required with `type: soc`)
             */
            soc?: number;
            /**
             * Format: int32
             * @description Energy to charge, Wh (required with `type: energy`)
             */
            energy?: number;
        };
        /**
         * @description What ends charging early
         * @enum {string}
         */
        ChargeLimitKind: "none" | "soc" | "energy";
        InstantChargingRequest: {
            current?: components["schemas"]["Ampere"];
            phases?: components["schemas"]["InstantChargingPhases"];
            limit?: components["schemas"]["ChargeLimit"];
        };
        /**
         * Format: int32
         * @description Phases to charge with (openWB 2.x only)
         * @enum {integer}
         */
        InstantChargingPhases: 1 | 3;
        PvChargingRequest: {
            /**
             * Format: int32
             * @description Minimum current while PV charging, A: 0 (PV only) or 6–32 (Min+PV)
             */
            minCurrent?: number;
            /**
             * Format: int32
             * @description Charge at `minSocCurrent` regardless of PV up to this SoC, % (0: off)
             */
            minSoc?: number;
            minSocCurrent?: components["schemas"]["Ampere"];
            phases?: components["schemas"]["PhaseSetting"];
            /** @description Charge only the power above the grid operator's feed-in limit */
            feedInLimit?: boolean;
            limit?: components["schemas"]["ChargeLimit"];
        };
        /**
         * Format: int32
         * @description Phases for PV charging (0: automatic switching)
         * @enum {integer}
         */
        PhaseSetting: 0 | 1 | 3;
        LockRequest: {
            /** @description True locks the chargepoint (no charging), false unlocks it */
            locked: boolean;
        };
        VehicleAssignment: {
            /** @example 1 */
            vehicleId: components["schemas"]["EntityId"];
        };
        VehicleSocRequest: {
            /**
             * Format: double
             * @description State of charge, %
             * @example 42
             */
            soc: number;
        };
        ChargeTemplateAssignment: {
            /** @example 1 */
            chargeTemplateId: components["schemas"]["EntityId"];
        };
        ChargeLimitState: {
            type: components["schemas"]["ChargeLimitKind"];
            /**
             * Format: double
             * @description Target SoC, %
             */
            soc: number | null;
            /**
             * Format: double
             * @description Energy to charge, Wh
             */
            energy: number | null;
        } | null;
        ChargeSettings: {
            chargepointId: components["schemas"]["EntityId"];
            chargeMode: components["schemas"]["ChargeMode"];
            /** @description True when the charge mode applies to every chargepoint (openWB 1.9) */
            global: boolean;
            /** @description Id of the chargepoint's active charge template (openWB 2.x) */
            templateId: string | null;
            instantCharging: components["schemas"]["InstantChargingSettings"];
            pvCharging: components["schemas"]["PvChargingSettings"];
            /**
             * Format: date-time
             * @description When openWB last published these settings
             */
            updatedAt: string | null;
        };
        PvChargingSettings: {
            /**
             * Format: double
             * @description A (0 = PV only)
             */
            minCurrent: number | null;
            /**
             * Format: double
             * @description %
             */
            minSoc: number | null;
            /**
             * Format: double
             * @description A
             */
            minSocCurrent: number | null;
            /** Format: int32 */
            phases: number | null;
            feedInLimit: boolean | null;
            limit: components["schemas"]["ChargeLimitState"];
        } | null;
        InstantChargingSettings: {
            /**
             * Format: double
             * @description A
             */
            current: number | null;
            /** Format: int32 */
            phases: number | null;
            limit: components["schemas"]["ChargeLimitState"];
        } | null;
        /**
         * @description What the command changes (`preset`: an RFID profile's chargeMode, instantCharging and pvCharging in one template change)
         * @enum {string}
         */
        CommandAction: "chargeMode" | "instantCharging" | "pvCharging" | "lock" | "vehicle" | "vehicleSoc" | "socUpdate" | "chargeTemplate" | "socModule" | "preset";
        /** @description What was asked, as sent (SoC module secrets are never kept: only the module type and the configuration keys) */
        CommandRequest: {
            mode?: components["schemas"]["ChargeModeSetting"];
            /** Format: int32 */
            minCurrent?: number;
            current?: components["schemas"]["Ampere"];
            phases?: components["schemas"]["PhaseSetting"];
            limit?: components["schemas"]["ChargeLimit"];
            /** Format: int32 */
            minSoc?: number;
            minSocCurrent?: components["schemas"]["Ampere"];
            feedInLimit?: boolean;
            locked?: boolean;
            vehicleId?: components["schemas"]["EntityId"];
            /** Format: double */
            soc?: number;
            chargeTemplateId?: components["schemas"]["EntityId"];
            socModuleType?: string | null;
            socModuleKeys?: string[];
            chargeMode?: components["schemas"]["ChargeModeSetting"];
            instantCharging?: components["schemas"]["InstantChargingRequest"];
            pvCharging?: components["schemas"]["PvChargingRequest"];
        };
        Command: {
            id: components["schemas"]["Uuid"];
            action: components["schemas"]["CommandAction"];
            status: components["schemas"]["CommandStatus"];
            target: components["schemas"]["CommandTarget"];
            via: components["schemas"]["CommandOrigin"];
            request: components["schemas"]["CommandRequest"];
            /** @description The openWB set topics published (without `OPENWB_TOPIC_PREFIX`) */
            topics: string[];
            createdAt: components["schemas"]["Timestamp"];
            /**
             * Format: date-time
             * @description When the command became `applied` or `timeout`
             */
            completedAt: string | null;
            /** @description A note on the outcome */
            detail: string | null;
            chargepoint?: components["schemas"]["ChargePoint"];
            settings?: components["schemas"]["ChargeSettings"];
            vehicle?: components["schemas"]["Vehicle"];
            socModule?: components["schemas"]["SocModuleConfig"];
        };
        /**
         * @description `rfid`: sent by an RFID profile when its tag was scanned
         * @enum {string}
         */
        CommandOrigin: "api" | "rfid";
        /**
         * @description `pending` until openWB shows the change, then `applied`; `timeout` when it did not within `COMMAND_TIMEOUT_S`; `sent`: accepted by the broker, openWB publishes nothing to confirm it
         * @enum {string}
         */
        CommandStatus: "pending" | "applied" | "timeout" | "sent";
        CommandTarget: {
            type: components["schemas"]["CommandTargetKind"];
            id: components["schemas"]["EntityId"];
        };
        /**
         * @description What a command changes
         * @enum {string}
         */
        CommandTargetKind: "chargepoint" | "vehicle";
        /**
         * @description Module settings as openWB names them; each secret is `{ "set": true|false }` instead of its value
         * @example {
         *       "user_id": "me@example.com",
         *       "password": {
         *         "set": true
         *       },
         *       "vin": "WVWZZZ1KZAW000000"
         *     }
         */
        SocModuleConfiguration: {
            [key: string]: unknown;
        };
        SocModule: {
            /**
             * @description `null`: no SoC module
             * @example manual
             */
            type: string | null;
            /** @example Manueller SoC */
            name: string | null;
            /** @description Maintained by openWB */
            official: boolean | null;
            configuration: components["schemas"]["SocModuleConfiguration"];
            /** @description Keys of `configuration` that are secrets */
            secrets: string[];
        };
        SocModuleList: {
            items: components["schemas"]["SocModule"][];
        };
        /** @description A vehicle's SoC module (the fields of `SocModule`, and the vehicle) */
        SocModuleConfig: {
            vehicleId: components["schemas"]["EntityId"];
            /** @example kia */
            type: string | null;
            name: string | null;
            official: boolean | null;
            configuration: components["schemas"]["SocModuleConfiguration"];
            secrets: string[];
        };
        SocModuleUpdate: {
            /**
             * @description A module `type` from `listSocModules`; `null` removes the SoC module
             * @example manual
             */
            type: string | null;
            /** @description Settings to change (see the operation); secrets in clear text, `{ "set": true }` or omitted to keep, `null` to clear */
            configuration?: {
                [key: string]: unknown;
            };
        };
        ChargeTemplate: {
            id: components["schemas"]["EntityId"];
            /** @example Standard-Lade-Profil */
            name: string | null;
        };
        ChargeTemplateList: {
            items: components["schemas"]["ChargeTemplate"][];
        };
        /**
         * @description An RFID / ID tag as openWB reports it (compared case-insensitively)
         * @example 04A1B2C3
         */
        RfidTag: string;
        /** @description Applied when a tag of the profile is scanned: the vehicle first, then the charge mode and settings in one change of the charge template. Every part is optional. */
        Preset: {
            chargeMode?: components["schemas"]["ChargeModeSetting"];
            instantCharging?: components["schemas"]["InstantChargingRequest"];
            pvCharging?: components["schemas"]["PvChargingRequest"];
            /** @example 1 */
            vehicleId?: components["schemas"]["EntityId"];
        };
        ProfileTags: components["schemas"]["RfidTag"][];
        Profile: {
            id: components["schemas"]["Uuid"];
            /** @example Alice's e-Golf */
            name: string;
            userId: components["schemas"]["Uuid"];
            /** @description The owner's username */
            userName: string | null;
            tags: components["schemas"]["ProfileTags"];
            /** @description Where the profile applies; empty: every chargepoint its owner may use */
            chargepoints: components["schemas"]["ChargePointIds"];
            preset: components["schemas"]["Preset"];
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        /** @description One page, in the list's order */
        ProfileList: {
            items: components["schemas"]["Profile"][];
            nextCursor: components["schemas"]["NextCursor"];
        };
        NewProfile: {
            name: string;
            /** @description The owner (admins only; default: the caller) */
            userId?: components["schemas"]["Uuid"];
            tags: components["schemas"]["ProfileTags"];
            chargepoints?: components["schemas"]["ChargePointIds"];
            preset?: components["schemas"]["Preset"];
        };
        ProfileUpdate: {
            name?: string;
            /** @description The new owner (admins only) */
            userId?: components["schemas"]["Uuid"];
            tags?: components["schemas"]["ProfileTags"];
            chargepoints?: components["schemas"]["ChargePointIds"];
            preset?: components["schemas"]["Preset"];
        };
        /**
         * @description What the scan did: the preset is being applied (`pending`), was `applied`, not confirmed in time (`timeout`) or refused (`failed`); no profile has the tag (`unknownTag`); the profile does not apply here (`notAllowed`); the profile has no preset (`noPreset`, the session is still attributed)
         * @enum {string}
         */
        RfidOutcome: "pending" | "applied" | "timeout" | "failed" | "unknownTag" | "notAllowed" | "noPreset";
        RfidEvent: {
            id: string;
            at: components["schemas"]["Timestamp"];
            chargepointId: components["schemas"]["EntityId"];
            /** @example 04A1B2C3 */
            tag: string;
            source: components["schemas"]["RfidEventSource"];
            outcome: components["schemas"]["RfidOutcome"];
            detail: string | null;
            profileId: string | null;
            userId: string | null;
            commandIds: components["schemas"]["Uuid"][];
            /** @description The charging session attributed to the profile's user */
            sessionId: string | null;
        };
        /**
         * @description `scan`: openWB reported the tag scanned (2.x `get/rfid`); `bind`: bound to the plug-in session (2.x `set/rfid`, 1.9 `lastRfId`)
         * @enum {string}
         */
        RfidEventSource: "scan" | "bind";
        RfidEventPage: {
            items: components["schemas"]["RfidEvent"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        /**
         * Format: double
         * @description Energy per pulse, Wh: 13.333 for a Ferraris disc of 75 revolutions/kWh, 1 for an S0 output of 1000 imp/kWh, 0.1 for 10000 imp/kWh
         * @example 13.333
         */
        EnergyPerPulse: number;
        /**
         * Format: double
         * @description A meter reading, Wh (25503550 = 25 503.55 kWh)
         * @example 25503550
         */
        MeterReadingWh: number;
        Meter: {
            id: components["schemas"]["Uuid"];
            /** @example House meter */
            name: string;
            /** @description The owner; `null` for a meter made with a system key */
            userId: string | null;
            energyPerPulseWh: components["schemas"]["EnergyPerPulse"];
            startReadingWh: components["schemas"]["MeterReadingWh"];
            createdAt: components["schemas"]["Timestamp"];
            updatedAt: components["schemas"]["Timestamp"];
        };
        NewMeter: {
            /** @example House meter */
            name: string;
            energyPerPulseWh: components["schemas"]["EnergyPerPulse"];
            /** @description The reading when counting starts, Wh (default 0) */
            startReadingWh?: components["schemas"]["MeterReadingWh"];
        };
        MeterUpdate: {
            /** @example House meter */
            name?: string;
            energyPerPulseWh?: components["schemas"]["EnergyPerPulse"];
            startReadingWh?: components["schemas"]["MeterReadingWh"];
        };
        MeterPage: {
            items: components["schemas"]["Meter"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        /** @description No `times` (or no body): one pulse now */
        MeterPulses: {
            /**
             * @description When each pulse was counted (ISO 8601 with an offset), in any order; a time sent again is a duplicate
             * @example [
             *       "2026-03-01T12:00:00.000Z",
             *       "2026-03-01T12:00:09.250Z"
             *     ]
             */
            times?: string[];
        };
        MeterPulseReceipt: {
            /**
             * Format: int32
             * @description Pulses in the request
             */
            received: number;
            /**
             * Format: int32
             * @description Pulses new to the gateway
             */
            recorded: number;
            /**
             * Format: int32
             * @description Pulses it had already (same time to the millisecond), counted once
             */
            duplicates: number;
            /**
             * Format: double
             * @description The meter reading after them, Wh
             */
            meterReadingWh: number;
        };
        NewConnectionLoss: {
            /**
             * Format: int64
             * @description How long the device was offline, ms (kept for information)
             * @example 120000
             */
            durationMs: number;
            /**
             * Format: int32
             * @description Pulses the device counted but could not report with their times
             * @example 3
             */
            pulsesMissed: number;
            /**
             * Format: date-time
             * @description When the connection came back (default: now); not more than 60 s in the future
             * @example 2026-03-01T12:05:00Z
             */
            endedAt?: string;
        };
        ConnectionLossReceipt: {
            /** @description `false`: the same report (meter and `endedAt`) was recorded before */
            recorded: boolean;
            /**
             * Format: double
             * @description The meter reading after it, Wh
             */
            meterReadingWh: number;
        };
        MeterReading: {
            meterId: components["schemas"]["Uuid"];
            at: components["schemas"]["Timestamp"];
            /**
             * Format: double
             * @description `startReadingWh` + (pulses + missed pulses) × `energyPerPulseWh`, Wh
             * @example 25503563.33
             */
            meterReadingWh: number;
            /**
             * Format: double
             * @description Energy since local midnight in `timeZone`, Wh
             * @example 5680.01
             */
            energyTodayWh: number;
            /**
             * Format: date
             * @description Today in `timeZone`
             * @example 2026-03-01
             */
            day: string;
            /** @example Europe/Berlin */
            timeZone: string;
            /**
             * Format: double
             * @description Current power, W: min(`lastIntervalPowerW`, one pulse over the time since the last pulse)
             * @example 1234.5
             */
            powerW: number | null;
            /**
             * Format: double
             * @description Power from the interval between the last two pulses, W
             * @example 4800
             */
            lastIntervalPowerW: number | null;
            /** Format: date-time */
            lastPulseAt: string | null;
            /**
             * Format: int64
             * @description Pulses recorded with their times
             */
            pulses: number;
            /**
             * Format: int64
             * @description Pulses reported missed in connection losses
             */
            missedPulses: number;
        };
        /** @description A few bytes for a tiny display, e.g. {"w":1234,"wh":5680,"kwh":25503.56} */
        MeterSummary: {
            /**
             * Format: int64
             * @description Current power, W (decaying; `null` when unknown)
             */
            w: number | null;
            /**
             * Format: int64
             * @description Energy today, Wh
             */
            wh: number;
            /**
             * Format: double
             * @description Meter reading, kWh (2 decimals)
             */
            kwh: number;
        };
        MeterHistoryPoint: {
            /**
             * Format: date-time
             * @description Bucket start, with the zone's offset
             */
            start: string;
            /**
             * Format: double
             * @description (pulses + missed pulses) × energy per pulse, Wh
             */
            energyWh: number;
            /** Format: int64 */
            pulses: number;
            /** Format: int64 */
            missedPulses: number;
        };
        MeterHistory: {
            meterId: components["schemas"]["Uuid"];
            /** Format: date-time */
            start: string;
            /** Format: date-time */
            end: string;
            interval: components["schemas"]["HistoryInterval"];
            timeZone: string;
            points: components["schemas"]["MeterHistoryPoint"][];
        };
        /** @description The smartmeter display's values under its own names (it calls energy "power") */
        PulseMeterLcdInfo: {
            /**
             * Format: double
             * @description Energy today, Wh (2 decimals)
             * @example 5680.01
             */
            daily_power: number;
            /**
             * Format: int64
             * @description Current power, W (decaying; 0 when unknown)
             * @example 1234
             */
            current_power: number;
        };
        /**
         * @description A field name, e.g. `temp_C`
         * @example temp_C
         */
        MeasurementFieldName: string;
        /**
         * @description The measured values by field name (at most 32; names match `^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`), finite numbers
         * @example {
         *       "temp_C": 13.5,
         *       "batt_V": 3.71
         *     }
         */
        MeasurementFields: {
            [key: string]: number;
        };
        /**
         * @description The unit of each field (names as in `MeasurementFields`), free text such as `°C` or `V`
         * @example {
         *       "temp_C": "°C",
         *       "batt_V": "V"
         *     }
         */
        MeasurementUnits: {
            [key: string]: string;
        };
        MeasurementSeries: {
            /**
             * @description The series id (decimal digits; the integer id of the timeseries-api wire mode)
             * @example 1
             */
            id: string;
            /** @example Garden thermometer */
            description: string;
            /** @example esp32-garden */
            deviceId: string;
            /** @example ESP32 with a DS18B20, on battery */
            deviceDescription: string;
            units: components["schemas"]["MeasurementUnits"];
            /**
             * Format: int32
             * @description Points older than this many days are deleted; `null`: kept for ever
             */
            retentionDays: number | null;
            /** @description The user who created the series; `null` for one created with a system key */
            ownerId: string | null;
            createdAt: components["schemas"]["Timestamp"];
            /** Format: int64 */
            pointCount: number;
            /** Format: date-time */
            firstPointAt: string | null;
            /** Format: date-time */
            lastPointAt: string | null;
        };
        MeasurementSeriesList: {
            items: components["schemas"]["MeasurementSeries"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        NewMeasurementSeries: {
            /** @example Garden thermometer */
            description: string;
            /** @example esp32-garden */
            deviceId: string;
            /**
             * @default
             * @example ESP32 with a DS18B20, on battery
             */
            deviceDescription: string;
            units?: components["schemas"]["MeasurementUnits"];
            /**
             * Format: int32
             * @example 365
             */
            retentionDays?: number | null;
        };
        MeasurementPointIn: {
            /**
             * Format: date-time
             * @description When it was measured, ISO 8601 with an offset (default: when the gateway received the batch)
             * @example 2026-12-06T21:00:00+01:00
             */
            time?: string;
            fields: components["schemas"]["MeasurementFields"];
        };
        MeasurementPointBatch: {
            points: components["schemas"]["MeasurementPointIn"][];
        };
        MeasurementPointsWritten: {
            /**
             * Format: int32
             * @description The number of points stored
             */
            written: number;
        };
        MeasurementPoint: {
            time: components["schemas"]["Timestamp"];
            fields: components["schemas"]["MeasurementFields"];
        };
        MeasurementPointPage: {
            items: components["schemas"]["MeasurementPoint"][];
            /** @description Pass as `cursor` (with the same `from`, `to`) for the next page; `null` on the last page */
            nextCursor: string | null;
        };
        /** @description One field in one bucket; the values are `null` when the bucket has no point with that field */
        MeasurementFieldAggregate: {
            /** Format: int64 */
            count: number;
            /** Format: double */
            min: number | null;
            /** Format: double */
            avg: number | null;
            /** Format: double */
            max: number | null;
            /**
             * Format: double
             * @description The value of the latest point in the bucket
             */
            last: number | null;
        };
        MeasurementBucket: {
            start: components["schemas"]["LocalTimestamp"];
            /** @description Per field name */
            fields: {
                [key: string]: components["schemas"]["MeasurementFieldAggregate"];
            };
        };
        MeasurementAggregates: {
            /** @example 1 */
            seriesId: string;
            start: components["schemas"]["LocalTimestamp"];
            end: components["schemas"]["LocalTimestamp"];
            interval: components["schemas"]["HistoryInterval"];
            /** @example Europe/Berlin */
            timeZone: string;
            fields: components["schemas"]["MeasurementFieldName"][];
            buckets: components["schemas"]["MeasurementBucket"][];
        };
        /**
         * Format: int64
         * @description A bare integer id (the timeseries-api wire format)
         * @example 1
         */
        TimeseriesId: number;
        /**
         * Format: int64
         * @example 1440
         */
        TimeseriesCount: number;
        /** @description The caller's API key in the body, as timeseries-api clients send it; other keys are ignored */
        TimeseriesToken: {
            /** @example owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0 */
            token?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description timeseries-api `PUT /series/new`: `token` (or header credentials), `device_id` and `device_desc` (both needed:
         *     400 without them, checked after the token so that a request without credentials is a 401), optional `desc`;
         *     other keys are ignored
         */
        TimeseriesNewSeries: {
            /** @example owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0 */
            token?: string;
            /** @example esp32-garden */
            device_id?: string;
            /** @example ESP32 with a DS18B20 */
            device_desc?: string;
            /** @example Garden temperature */
            desc?: string;
        } & {
            [key: string]: unknown;
        };
        /**
         * @description timeseries-api `PUT /point/new`: `token` (or header credentials), `series_id` and `fields` (both needed: 400
         *     without them, checked after the token so that a request without credentials is a 401); other keys are ignored
         */
        TimeseriesNewPoint: {
            /** @example owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0 */
            token?: string;
            series_id?: components["schemas"]["TimeseriesId"];
            fields?: components["schemas"]["MeasurementFields"];
        } & {
            [key: string]: unknown;
        };
        TimeseriesPoint: {
            id: components["schemas"]["TimeseriesId"];
            series_id: components["schemas"]["TimeseriesId"];
            /**
             * Format: date-time
             * @description When the point was measured, ISO 8601 in UTC with its offset (timeseries-api wrote naive local time)
             * @example 2026-12-06T20:00:00.000+00:00
             */
            timestamp: string;
            fields: components["schemas"]["MeasurementFields"];
        };
        TimeseriesPointList: components["schemas"]["TimeseriesPoint"][];
        TimeseriesSeries: {
            id: components["schemas"]["TimeseriesId"];
            desc: string;
            device_id: string;
            device_desc: string;
            /**
             * Format: date-time
             * @description When the series was created, ISO 8601 in UTC
             */
            timestamp: string;
            /** @description The owner's name (never a token) */
            user: string | null;
            count: components["schemas"]["TimeseriesCount"];
        };
        /**
         * @description The series keyed by their id as a string
         * @example {
         *       "1": {
         *         "id": 1,
         *         "desc": "Garden temperature",
         *         "device_id": "esp32-garden",
         *         "device_desc": "ESP32 with a DS18B20",
         *         "timestamp": "2026-12-06T20:00:00.000+00:00",
         *         "user": "alice",
         *         "count": 1440
         *       }
         *     }
         */
        TimeseriesSeriesMap: {
            [key: string]: components["schemas"]["TimeseriesSeries"];
        };
    };
    responses: {
        /** @description A parameter or the body is invalid; `errors` names each problem */
        BadRequest: {
            headers: {
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/validation",
                 *       "title": "Bad Request",
                 *       "status": 400,
                 *       "detail": "request/query/limit must be <= 500",
                 *       "instance": "/api/v1/sessions",
                 *       "errors": [
                 *         {
                 *           "path": "/query/limit",
                 *           "message": "must be <= 500",
                 *           "errorCode": "maximum.openapi.validation"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Credentials are missing, unknown, expired or revoked */
        Unauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/unauthorized",
                 *       "title": "Unauthorized",
                 *       "status": 401,
                 *       "detail": "Missing credentials: send x-api-key or Authorization: Bearer",
                 *       "instance": "/api/v1/chargepoints"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The credentials lack the scope the operation needs */
        Forbidden: {
            headers: {
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/forbidden",
                 *       "title": "Forbidden",
                 *       "status": 403,
                 *       "detail": "This operation needs the control scope",
                 *       "instance": "/api/v1/chargepoints/3/charge-mode"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such resource */
        NotFound: {
            headers: {
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/not-found",
                 *       "title": "Not Found",
                 *       "status": 404,
                 *       "detail": "Chargepoint 9 is not known: openWB has not published it",
                 *       "instance": "/api/v1/chargepoints/9"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A dependency (the live store) cannot be reached; retry after `Retry-After` seconds */
        Unavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/unavailable",
                 *       "title": "Service Unavailable",
                 *       "status": 503,
                 *       "detail": "The database cannot be reached right now",
                 *       "instance": "/api/v1/sessions"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The change conflicts with the current state (a taken name, the last admin) */
        Conflict: {
            headers: {
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/conflict",
                 *       "title": "Conflict",
                 *       "status": 409,
                 *       "detail": "A user named alice already exists",
                 *       "instance": "/api/v1/users"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A rate limit, quota or login lock-out is exhausted; retry after `Retry-After` seconds */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/too-many-requests",
                 *       "title": "Too Many Requests",
                 *       "status": 429,
                 *       "detail": "Rate limit of this API key exceeded: retry after 12 s",
                 *       "instance": "/api/v1/site"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description Any other error, always problem+json: `405` for a method the path does not have (with `Allow`),
         *     `408` for a request not received in time, `413` for a body over 64 KiB, `415` for a body that is not
         *     `application/json`, `431` for request headers over 16 KiB (answered by the HTTP parser, before
         *     credentials are checked), `500` for an unexpected fault (logged; no internals in the body).
         */
        Error: {
            headers: {
                /** @description With `405` only: the methods the path answers */
                Allow?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/method-not-allowed",
                 *       "title": "Method Not Allowed",
                 *       "status": 405,
                 *       "detail": "This path answers GET, HEAD only",
                 *       "instance": "/api/v1/site"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Applied: openWB shows the new value. The command, with the new state of its target */
        CommandApplied: {
            headers: {
                "Cache-Control": components["headers"]["NoStore"];
                Location: components["headers"]["Location"];
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                 *       "action": "chargeMode",
                 *       "status": "pending",
                 *       "target": {
                 *         "type": "chargepoint",
                 *         "id": "3"
                 *       },
                 *       "via": "api",
                 *       "request": {
                 *         "mode": "instant",
                 *         "minCurrent": 0,
                 *         "current": 16,
                 *         "phases": 0,
                 *         "limit": {
                 *           "type": "none",
                 *           "soc": 1,
                 *           "energy": 1
                 *         },
                 *         "minSoc": 0,
                 *         "minSocCurrent": 16,
                 *         "feedInLimit": true,
                 *         "locked": true,
                 *         "vehicleId": "3",
                 *         "soc": 0,
                 *         "chargeTemplateId": "3",
                 *         "socModuleType": "manual",
                 *         "socModuleKeys": [
                 *           "string"
                 *         ],
                 *         "chargeMode": "instant",
                 *         "instantCharging": {
                 *           "current": 16,
                 *           "phases": 1,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 16,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         }
                 *       },
                 *       "topics": [
                 *         "openWB/set/chargepoint/3/set/charge_template"
                 *       ],
                 *       "createdAt": "2026-05-20T12:00:40.000Z",
                 *       "completedAt": "2026-05-20T14:00:00.000Z",
                 *       "detail": "ok",
                 *       "chargepoint": {
                 *         "id": "3",
                 *         "name": "Garage",
                 *         "power": 11040,
                 *         "currents": [
                 *           16,
                 *           16,
                 *           16
                 *         ],
                 *         "voltages": [
                 *           230.1,
                 *           229.8,
                 *           231
                 *         ],
                 *         "phasesInUse": 0,
                 *         "energyImported": 1250030.67,
                 *         "energyExported": 0,
                 *         "energyToday": 8520,
                 *         "plugged": true,
                 *         "charging": true,
                 *         "locked": true,
                 *         "setCurrent": 16,
                 *         "chargeMode": "instant",
                 *         "rfidTag": "04A1B2C3",
                 *         "vehicle": {
                 *           "id": "1",
                 *           "name": "e-Golf",
                 *           "soc": 55
                 *         },
                 *         "fault": {
                 *           "state": "ok",
                 *           "message": "Kein Fehler."
                 *         },
                 *         "statusText": "Fahrzeug lädt.",
                 *         "updatedAt": "2026-05-20T14:00:00.000Z",
                 *         "stale": true
                 *       },
                 *       "settings": {
                 *         "chargepointId": "3",
                 *         "chargeMode": "instant",
                 *         "global": true,
                 *         "templateId": "1",
                 *         "instantCharging": {
                 *           "current": 0,
                 *           "phases": 0,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 0,
                 *             "energy": 0
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 0,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 0,
                 *             "energy": 0
                 *           }
                 *         },
                 *         "updatedAt": "2026-05-20T14:00:00.000Z"
                 *       },
                 *       "vehicle": {
                 *         "updatedAt": "2026-05-20T14:00:00.000Z",
                 *         "stale": true,
                 *         "id": "3",
                 *         "name": "e-Golf",
                 *         "soc": 55,
                 *         "range": 210.5,
                 *         "socUpdatedAt": "2026-05-20T14:00:00.000Z"
                 *       },
                 *       "socModule": {
                 *         "vehicleId": "3",
                 *         "type": "kia",
                 *         "name": "alice",
                 *         "official": true,
                 *         "configuration": {
                 *           "user_id": "me@example.com",
                 *           "password": {
                 *             "set": true
                 *           },
                 *           "vin": "WVWZZZ1KZAW000000"
                 *         },
                 *         "secrets": [
                 *           "string"
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Command"];
            };
        };
        /** @description Sent, not (yet) confirmed: the command (`pending`, `timeout` or `sent`); follow `Location` for its outcome */
        CommandAccepted: {
            headers: {
                "Cache-Control": components["headers"]["NoStore"];
                Location: components["headers"]["Location"];
                "Preference-Applied": components["headers"]["PreferenceApplied"];
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                 *       "action": "chargeMode",
                 *       "status": "pending",
                 *       "target": {
                 *         "type": "chargepoint",
                 *         "id": "3"
                 *       },
                 *       "via": "api",
                 *       "request": {
                 *         "mode": "instant",
                 *         "minCurrent": 0,
                 *         "current": 16,
                 *         "phases": 0,
                 *         "limit": {
                 *           "type": "none",
                 *           "soc": 1,
                 *           "energy": 1
                 *         },
                 *         "minSoc": 0,
                 *         "minSocCurrent": 16,
                 *         "feedInLimit": true,
                 *         "locked": true,
                 *         "vehicleId": "3",
                 *         "soc": 0,
                 *         "chargeTemplateId": "3",
                 *         "socModuleType": "manual",
                 *         "socModuleKeys": [
                 *           "string"
                 *         ],
                 *         "chargeMode": "instant",
                 *         "instantCharging": {
                 *           "current": 16,
                 *           "phases": 1,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 16,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         }
                 *       },
                 *       "topics": [
                 *         "openWB/set/chargepoint/3/set/charge_template"
                 *       ],
                 *       "createdAt": "2026-05-20T12:00:40.000Z",
                 *       "completedAt": "2026-05-20T14:00:00.000Z",
                 *       "detail": "ok",
                 *       "chargepoint": {
                 *         "id": "3",
                 *         "name": "Garage",
                 *         "power": 11040,
                 *         "currents": [
                 *           16,
                 *           16,
                 *           16
                 *         ],
                 *         "voltages": [
                 *           230.1,
                 *           229.8,
                 *           231
                 *         ],
                 *         "phasesInUse": 0,
                 *         "energyImported": 1250030.67,
                 *         "energyExported": 0,
                 *         "energyToday": 8520,
                 *         "plugged": true,
                 *         "charging": true,
                 *         "locked": true,
                 *         "setCurrent": 16,
                 *         "chargeMode": "instant",
                 *         "rfidTag": "04A1B2C3",
                 *         "vehicle": {
                 *           "id": "1",
                 *           "name": "e-Golf",
                 *           "soc": 55
                 *         },
                 *         "fault": {
                 *           "state": "ok",
                 *           "message": "Kein Fehler."
                 *         },
                 *         "statusText": "Fahrzeug lädt.",
                 *         "updatedAt": "2026-05-20T14:00:00.000Z",
                 *         "stale": true
                 *       },
                 *       "settings": {
                 *         "chargepointId": "3",
                 *         "chargeMode": "instant",
                 *         "global": true,
                 *         "templateId": "1",
                 *         "instantCharging": {
                 *           "current": 0,
                 *           "phases": 0,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 0,
                 *             "energy": 0
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 0,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 0,
                 *             "energy": 0
                 *           }
                 *         },
                 *         "updatedAt": "2026-05-20T14:00:00.000Z"
                 *       },
                 *       "vehicle": {
                 *         "updatedAt": "2026-05-20T14:00:00.000Z",
                 *         "stale": true,
                 *         "id": "3",
                 *         "name": "e-Golf",
                 *         "soc": 55,
                 *         "range": 210.5,
                 *         "socUpdatedAt": "2026-05-20T14:00:00.000Z"
                 *       },
                 *       "socModule": {
                 *         "vehicleId": "3",
                 *         "type": "kia",
                 *         "name": "alice",
                 *         "official": true,
                 *         "configuration": {
                 *           "user_id": "me@example.com",
                 *           "password": {
                 *             "set": true
                 *           },
                 *           "vin": "WVWZZZ1KZAW000000"
                 *         },
                 *         "secrets": [
                 *           "string"
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Command"];
            };
        };
        /** @description The request body is larger than the operation accepts */
        PayloadTooLarge: {
            headers: {
                "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                "RateLimit-Reset": components["headers"]["RateLimitReset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "/problems/payload-too-large",
                 *       "title": "Payload Too Large",
                 *       "status": 413,
                 *       "detail": "The request body is larger than 4194304 bytes",
                 *       "instance": "/api/v1/series/1/points"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description Charger id: the openWB chargepoint id */
        EnergSyncChargerId: components["schemas"]["EntityId"];
        /**
         * @description Only these chargers. Every form EnergSync clients send is accepted: repeated
         *     (`chargerIds=3&chargerIds=4`, as declared here), with the literal bracket name of EnergSync 1.0.7
         *     (`chargerIds[]=3&chargerIds[]=4`), and comma-separated (`chargerIds=3,4`, EnergSync 1.2.0 and the AWS
         *     guide), also mixed. At most 100 ids.
         * @example [
         *       "3",
         *       "4"
         *     ]
         */
        EnergSyncChargerIds: components["schemas"]["EntityId"][];
        /** @description Page number, 1-based; a page beyond the last is empty */
        EnergSyncPage: number;
        /** @description Rows on a page */
        EnergSyncPageSize: number;
        /**
         * @description Comma-separated chargepoint ids: only these chargepoints' values and events (sessions, commands, RFID
         *     scans on them) reach the connection; the site, vehicles, system and broker events are not narrowed.
         *     Chargepoints the caller may not use stay hidden whether named or not. Default: every chargepoint
         *     the caller may use.
         * @example [
         *       "3",
         *       "4"
         *     ]
         */
        StreamChargepoints: components["schemas"]["EntityId"][];
        /**
         * @description Comma-separated: what the connection receives. `values`: the snapshot's objects and their `changed`,
         *     `stale` and `removed` messages; `events`: every event; or single events: `sessions`, `commands`, `rfid`,
         *     `connection`. Default: `values,events`. Without `values` the snapshot carries the `system` only.
         * @example [
         *       "values",
         *       "events"
         *     ]
         */
        StreamTopics: components["schemas"]["StreamTopic"][];
        /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
        ChargePointId: components["schemas"]["EntityId"];
        /**
         * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
         * @example 1
         */
        VehicleId: components["schemas"]["EntityId"];
        /**
         * @description Start of the range (inclusive): ISO 8601 date or date-time; a date, or a date-time without offset, is local time in `tz`. Encode `+` as `%2B`.
         * @example 2026-01-01
         */
        RangeFrom: components["schemas"]["DateTimeParam"];
        /**
         * @description End of the range (exclusive): ISO 8601 date or date-time, read like `from`
         * @example 2027-01-01
         */
        RangeTo: components["schemas"]["DateTimeParam"];
        /**
         * @description Only sessions of this openWB vehicle id (the corrected vehicle where a session was corrected)
         * @example 1
         */
        SessionVehicleFilter: components["schemas"]["EntityId"];
        /** @description Only sessions with this RFID tag (exact, case-sensitive) */
        SessionTagFilter: string;
        /** @description `start` (oldest first, the default) / `-start` or `energy` / `-energy`; ties are broken by `id` */
        ExportSort: "start" | "-start" | "energy" | "-energy";
        /** @description Field separator: `,` (RFC 4180, the default) or `;` (what spreadsheets with a decimal comma expect; send it as `%3B`) */
        CsvDelimiter: "," | ";";
        /** @description Decimal separator of numbers: `point` (the default) or `comma` (German spreadsheets); a field holding the delimiter is quoted */
        CsvDecimal: "point" | "comma";
        /** @description Language of the column headers (and, in XLSX, of the totals row): `en` (the default) or `de` */
        ExportLanguage: "en" | "de";
        /** @description Start the file with a UTF-8 byte order mark, so that Excel reads umlauts right when it opens the file */
        CsvBom: boolean;
        /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
        TimeZone: string;
        /** @description Only sessions of this chargepoint id */
        ChargePointFilter: components["schemas"]["EntityId"];
        /** @description The user's id */
        UserId: components["schemas"]["Uuid"];
        /** @description The API key's id (not the key) */
        KeyId: components["schemas"]["Uuid"];
        /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
        Prefer: string;
        /** @description The command's id (from the reply of a control operation or its `Location`) */
        CommandId: components["schemas"]["Uuid"];
        /** @description Items per page */
        PageLimit: number;
        /** @description `nextCursor` of the previous page (opaque); without it, the first page */
        PageCursor: string;
        /** @description The RFID profile's id */
        ProfileId: components["schemas"]["Uuid"];
        /** @description The pulse meter's id */
        MeterId: components["schemas"]["Uuid"];
        /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
        MeasurementSeriesId: string;
        /** @description Page size */
        MeasurementPageLimit: number;
        /** @description `nextCursor` of the previous page (opaque) */
        MeasurementCursor: string;
        /** @description The series id, an integer */
        TimeseriesSeriesId: number;
        /** @description The point id, an integer */
        TimeseriesPointId: number;
    };
    requestBodies: never;
    headers: {
        /** @description `attachment` with the file name the download is saved as */
        ContentDisposition: string;
        /** @description The document id printed on the report */
        ReportId: string;
        /** @description SHA-256 (hex) of the report's data in canonical JSON, as printed on the report */
        ReportSha256: string;
        /** @description Live values must not be cached */
        NoStore: string;
        /** @description Seconds after which the request may be retried */
        RetryAfter: number;
        /** @description The credentials the operation accepts */
        WwwAuthenticate: string;
        /** @description Requests allowed in the current window of the limit closest to exhaustion (IETF draft RateLimit headers) */
        RateLimitLimit: number;
        /** @description Requests left in that window */
        RateLimitRemaining: number;
        /** @description Seconds until that window resets */
        RateLimitReset: number;
        /** @description Where the command resource can be read */
        Location: string;
        /** @description RFC 7240: the `Prefer` value that was honoured */
        PreferenceApplied: string;
    };
    pathItems: never;
}
export type SchemaEnergSyncCharger = components['schemas']['EnergSyncCharger'];
export type SchemaEnergSyncChargerList = components['schemas']['EnergSyncChargerList'];
export type SchemaEnergSyncSession = components['schemas']['EnergSyncSession'];
export type SchemaEnergSyncSessionList = components['schemas']['EnergSyncSessionList'];
export type SchemaEntityId = components['schemas']['EntityId'];
export type SchemaTimestamp = components['schemas']['Timestamp'];
export type SchemaProblem = components['schemas']['Problem'];
export type SchemaNextCursor = components['schemas']['NextCursor'];
export type SchemaProblemError = components['schemas']['ProblemError'];
export type SchemaFreshness = components['schemas']['Freshness'];
export type SchemaPhaseCurrents = components['schemas']['PhaseCurrents'];
export type SchemaPhaseVoltages = components['schemas']['PhaseVoltages'];
export type SchemaChargeMode = components['schemas']['ChargeMode'];
export type SchemaFaultState = components['schemas']['FaultState'];
export type SchemaChargePoint = components['schemas']['ChargePoint'];
export type SchemaChargePointFault = components['schemas']['ChargePointFault'];
export type SchemaChargePointVehicle = components['schemas']['ChargePointVehicle'];
export type SchemaChargePointList = components['schemas']['ChargePointList'];
export type SchemaGrid = components['schemas']['Grid'];
export type SchemaPv = components['schemas']['Pv'];
export type SchemaBattery = components['schemas']['Battery'];
export type SchemaHome = components['schemas']['Home'];
export type SchemaSite = components['schemas']['Site'];
export type SchemaVehicle = components['schemas']['Vehicle'];
export type SchemaVehicleList = components['schemas']['VehicleList'];
export type SchemaSystem = components['schemas']['System'];
export type SchemaSystemGateway = components['schemas']['SystemGateway'];
export type SchemaLiveStoreKind = components['schemas']['LiveStoreKind'];
export type SchemaSystemBroker = components['schemas']['SystemBroker'];
export type SchemaSystemOpenWb = components['schemas']['SystemOpenWb'];
export type SchemaOpenWbGenerationSetting = components['schemas']['OpenWbGenerationSetting'];
export type SchemaOpenWbGeneration = components['schemas']['OpenWbGeneration'];
export type SchemaStreamTicketValue = components['schemas']['StreamTicketValue'];
export type SchemaStreamTicket = components['schemas']['StreamTicket'];
export type SchemaStreamSeq = components['schemas']['StreamSeq'];
export type SchemaStreamObjectKind = components['schemas']['StreamObjectKind'];
export type SchemaStreamSnapshot = components['schemas']['StreamSnapshot'];
export type SchemaStreamChanged = components['schemas']['StreamChanged'];
export type SchemaStreamFieldValue = components['schemas']['StreamFieldValue'];
export type SchemaStreamStale = components['schemas']['StreamStale'];
export type SchemaStreamRemoved = components['schemas']['StreamRemoved'];
export type SchemaStreamError = components['schemas']['StreamError'];
export type SchemaStreamErrorCode = components['schemas']['StreamErrorCode'];
export type SchemaStreamTopic = components['schemas']['StreamTopic'];
export type SchemaStreamSessionChange = components['schemas']['StreamSessionChange'];
export type SchemaStreamSessionEvent = components['schemas']['StreamSessionEvent'];
export type SchemaStreamCommandEvent = components['schemas']['StreamCommandEvent'];
export type SchemaStreamRfidEvent = components['schemas']['StreamRfidEvent'];
export type SchemaStreamConnectionEvent = components['schemas']['StreamConnectionEvent'];
export type SchemaStreamSubscribe = components['schemas']['StreamSubscribe'];
export type SchemaStreamMessage = components['schemas']['StreamMessage'];
export type SchemaPeriodBound = components['schemas']['PeriodBound'];
export type SchemaDateTimeParam = components['schemas']['DateTimeParam'];
export type SchemaLocalTimestamp = components['schemas']['LocalTimestamp'];
export type SchemaSessionId = components['schemas']['SessionId'];
export type SchemaSessionChargeMode = components['schemas']['SessionChargeMode'];
export type SchemaSession = components['schemas']['Session'];
export type SchemaSessionUser = components['schemas']['SessionUser'];
export type SchemaSessionVehicle = components['schemas']['SessionVehicle'];
export type SchemaSessionCorrectionUpdate = components['schemas']['SessionCorrectionUpdate'];
export type SchemaSessionQuality = components['schemas']['SessionQuality'];
export type SchemaSessionCorrection = components['schemas']['SessionCorrection'];
export type SchemaSessionOriginal = components['schemas']['SessionOriginal'];
export type SchemaSessionCorrector = components['schemas']['SessionCorrector'];
export type SchemaCorrectorKind = components['schemas']['CorrectorKind'];
export type SchemaSessionList = components['schemas']['SessionList'];
export type SchemaSessionTotals = components['schemas']['SessionTotals'];
export type SchemaSessionSummaryBucket = components['schemas']['SessionSummaryBucket'];
export type SchemaSessionSummary = components['schemas']['SessionSummary'];
export type SchemaSummaryInterval = components['schemas']['SummaryInterval'];
export type SchemaSeriesId = components['schemas']['SeriesId'];
export type SchemaSeriesKind = components['schemas']['SeriesKind'];
export type SchemaHistoryInterval = components['schemas']['HistoryInterval'];
export type SchemaHistoryField = components['schemas']['HistoryField'];
export type SchemaHistoryPoint = components['schemas']['HistoryPoint'];
export type SchemaHistorySeries = components['schemas']['HistorySeries'];
export type SchemaSeriesUnit = components['schemas']['SeriesUnit'];
export type SchemaHistory = components['schemas']['History'];
export type SchemaHistorySeriesInfo = components['schemas']['HistorySeriesInfo'];
export type SchemaHistorySeriesList = components['schemas']['HistorySeriesList'];
export type SchemaRecorderCheck = components['schemas']['RecorderCheck'];
export type SchemaLiveness = components['schemas']['Liveness'];
export type SchemaReadiness = components['schemas']['Readiness'];
export type SchemaReadinessStatus = components['schemas']['ReadinessStatus'];
export type SchemaReadinessChecks = components['schemas']['ReadinessChecks'];
export type SchemaCheck = components['schemas']['Check'];
export type SchemaUuid = components['schemas']['Uuid'];
export type SchemaRole = components['schemas']['Role'];
export type SchemaScope = components['schemas']['Scope'];
export type SchemaChargePointIds = components['schemas']['ChargePointIds'];
export type SchemaPassword = components['schemas']['Password'];
export type SchemaLoginRequest = components['schemas']['LoginRequest'];
export type SchemaRefreshToken = components['schemas']['RefreshToken'];
export type SchemaRefreshRequest = components['schemas']['RefreshRequest'];
export type SchemaLogoutRequest = components['schemas']['LogoutRequest'];
export type SchemaTokenPair = components['schemas']['TokenPair'];
export type SchemaPasswordChange = components['schemas']['PasswordChange'];
export type SchemaCurrentPrincipal = components['schemas']['CurrentPrincipal'];
export type SchemaCredentialKind = components['schemas']['CredentialKind'];
export type SchemaUser = components['schemas']['User'];
export type SchemaUserList = components['schemas']['UserList'];
export type SchemaNewUser = components['schemas']['NewUser'];
export type SchemaUserUpdate = components['schemas']['UserUpdate'];
export type SchemaApiKey = components['schemas']['ApiKey'];
export type SchemaDeviceBinding = components['schemas']['DeviceBinding'];
export type SchemaDeviceKind = components['schemas']['DeviceKind'];
export type SchemaDeviceId = components['schemas']['DeviceId'];
export type SchemaNewDeviceKey = components['schemas']['NewDeviceKey'];
export type SchemaApiKeyList = components['schemas']['ApiKeyList'];
export type SchemaNewApiKey = components['schemas']['NewApiKey'];
export type SchemaCreatedApiKey = components['schemas']['CreatedApiKey'];
export type SchemaAuditEntry = components['schemas']['AuditEntry'];
export type SchemaAuditOutcome = components['schemas']['AuditOutcome'];
export type SchemaAuditTarget = components['schemas']['AuditTarget'];
export type SchemaAuditActor = components['schemas']['AuditActor'];
export type SchemaAuditActorKind = components['schemas']['AuditActorKind'];
export type SchemaAuditPage = components['schemas']['AuditPage'];
export type SchemaAmpere = components['schemas']['Ampere'];
export type SchemaChargeModeRequest = components['schemas']['ChargeModeRequest'];
export type SchemaChargeModeSetting = components['schemas']['ChargeModeSetting'];
export type SchemaChargeLimit = components['schemas']['ChargeLimit'];
export type SchemaChargeLimitKind = components['schemas']['ChargeLimitKind'];
export type SchemaInstantChargingRequest = components['schemas']['InstantChargingRequest'];
export type SchemaInstantChargingPhases = components['schemas']['InstantChargingPhases'];
export type SchemaPvChargingRequest = components['schemas']['PvChargingRequest'];
export type SchemaPhaseSetting = components['schemas']['PhaseSetting'];
export type SchemaLockRequest = components['schemas']['LockRequest'];
export type SchemaVehicleAssignment = components['schemas']['VehicleAssignment'];
export type SchemaVehicleSocRequest = components['schemas']['VehicleSocRequest'];
export type SchemaChargeTemplateAssignment = components['schemas']['ChargeTemplateAssignment'];
export type SchemaChargeLimitState = components['schemas']['ChargeLimitState'];
export type SchemaChargeSettings = components['schemas']['ChargeSettings'];
export type SchemaPvChargingSettings = components['schemas']['PvChargingSettings'];
export type SchemaInstantChargingSettings = components['schemas']['InstantChargingSettings'];
export type SchemaCommandAction = components['schemas']['CommandAction'];
export type SchemaCommandRequest = components['schemas']['CommandRequest'];
export type SchemaCommand = components['schemas']['Command'];
export type SchemaCommandOrigin = components['schemas']['CommandOrigin'];
export type SchemaCommandStatus = components['schemas']['CommandStatus'];
export type SchemaCommandTarget = components['schemas']['CommandTarget'];
export type SchemaCommandTargetKind = components['schemas']['CommandTargetKind'];
export type SchemaSocModuleConfiguration = components['schemas']['SocModuleConfiguration'];
export type SchemaSocModule = components['schemas']['SocModule'];
export type SchemaSocModuleList = components['schemas']['SocModuleList'];
export type SchemaSocModuleConfig = components['schemas']['SocModuleConfig'];
export type SchemaSocModuleUpdate = components['schemas']['SocModuleUpdate'];
export type SchemaChargeTemplate = components['schemas']['ChargeTemplate'];
export type SchemaChargeTemplateList = components['schemas']['ChargeTemplateList'];
export type SchemaRfidTag = components['schemas']['RfidTag'];
export type SchemaPreset = components['schemas']['Preset'];
export type SchemaProfileTags = components['schemas']['ProfileTags'];
export type SchemaProfile = components['schemas']['Profile'];
export type SchemaProfileList = components['schemas']['ProfileList'];
export type SchemaNewProfile = components['schemas']['NewProfile'];
export type SchemaProfileUpdate = components['schemas']['ProfileUpdate'];
export type SchemaRfidOutcome = components['schemas']['RfidOutcome'];
export type SchemaRfidEvent = components['schemas']['RfidEvent'];
export type SchemaRfidEventSource = components['schemas']['RfidEventSource'];
export type SchemaRfidEventPage = components['schemas']['RfidEventPage'];
export type SchemaEnergyPerPulse = components['schemas']['EnergyPerPulse'];
export type SchemaMeterReadingWh = components['schemas']['MeterReadingWh'];
export type SchemaMeter = components['schemas']['Meter'];
export type SchemaNewMeter = components['schemas']['NewMeter'];
export type SchemaMeterUpdate = components['schemas']['MeterUpdate'];
export type SchemaMeterPage = components['schemas']['MeterPage'];
export type SchemaMeterPulses = components['schemas']['MeterPulses'];
export type SchemaMeterPulseReceipt = components['schemas']['MeterPulseReceipt'];
export type SchemaNewConnectionLoss = components['schemas']['NewConnectionLoss'];
export type SchemaConnectionLossReceipt = components['schemas']['ConnectionLossReceipt'];
export type SchemaMeterReading = components['schemas']['MeterReading'];
export type SchemaMeterSummary = components['schemas']['MeterSummary'];
export type SchemaMeterHistoryPoint = components['schemas']['MeterHistoryPoint'];
export type SchemaMeterHistory = components['schemas']['MeterHistory'];
export type SchemaPulseMeterLcdInfo = components['schemas']['PulseMeterLcdInfo'];
export type SchemaMeasurementFieldName = components['schemas']['MeasurementFieldName'];
export type SchemaMeasurementFields = components['schemas']['MeasurementFields'];
export type SchemaMeasurementUnits = components['schemas']['MeasurementUnits'];
export type SchemaMeasurementSeries = components['schemas']['MeasurementSeries'];
export type SchemaMeasurementSeriesList = components['schemas']['MeasurementSeriesList'];
export type SchemaNewMeasurementSeries = components['schemas']['NewMeasurementSeries'];
export type SchemaMeasurementPointIn = components['schemas']['MeasurementPointIn'];
export type SchemaMeasurementPointBatch = components['schemas']['MeasurementPointBatch'];
export type SchemaMeasurementPointsWritten = components['schemas']['MeasurementPointsWritten'];
export type SchemaMeasurementPoint = components['schemas']['MeasurementPoint'];
export type SchemaMeasurementPointPage = components['schemas']['MeasurementPointPage'];
export type SchemaMeasurementFieldAggregate = components['schemas']['MeasurementFieldAggregate'];
export type SchemaMeasurementBucket = components['schemas']['MeasurementBucket'];
export type SchemaMeasurementAggregates = components['schemas']['MeasurementAggregates'];
export type SchemaTimeseriesId = components['schemas']['TimeseriesId'];
export type SchemaTimeseriesCount = components['schemas']['TimeseriesCount'];
export type SchemaTimeseriesToken = components['schemas']['TimeseriesToken'];
export type SchemaTimeseriesNewSeries = components['schemas']['TimeseriesNewSeries'];
export type SchemaTimeseriesNewPoint = components['schemas']['TimeseriesNewPoint'];
export type SchemaTimeseriesPoint = components['schemas']['TimeseriesPoint'];
export type SchemaTimeseriesPointList = components['schemas']['TimeseriesPointList'];
export type SchemaTimeseriesSeries = components['schemas']['TimeseriesSeries'];
export type SchemaTimeseriesSeriesMap = components['schemas']['TimeseriesSeriesMap'];
export type ResponseBadRequest = components['responses']['BadRequest'];
export type ResponseUnauthorized = components['responses']['Unauthorized'];
export type ResponseForbidden = components['responses']['Forbidden'];
export type ResponseNotFound = components['responses']['NotFound'];
export type ResponseUnavailable = components['responses']['Unavailable'];
export type ResponseConflict = components['responses']['Conflict'];
export type ResponseTooManyRequests = components['responses']['TooManyRequests'];
export type ResponseError = components['responses']['Error'];
export type ResponseCommandApplied = components['responses']['CommandApplied'];
export type ResponseCommandAccepted = components['responses']['CommandAccepted'];
export type ResponsePayloadTooLarge = components['responses']['PayloadTooLarge'];
export type ParameterEnergSyncChargerId = components['parameters']['EnergSyncChargerId'];
export type ParameterEnergSyncChargerIds = components['parameters']['EnergSyncChargerIds'];
export type ParameterEnergSyncPage = components['parameters']['EnergSyncPage'];
export type ParameterEnergSyncPageSize = components['parameters']['EnergSyncPageSize'];
export type ParameterStreamChargepoints = components['parameters']['StreamChargepoints'];
export type ParameterStreamTopics = components['parameters']['StreamTopics'];
export type ParameterChargePointId = components['parameters']['ChargePointId'];
export type ParameterVehicleId = components['parameters']['VehicleId'];
export type ParameterRangeFrom = components['parameters']['RangeFrom'];
export type ParameterRangeTo = components['parameters']['RangeTo'];
export type ParameterSessionVehicleFilter = components['parameters']['SessionVehicleFilter'];
export type ParameterSessionTagFilter = components['parameters']['SessionTagFilter'];
export type ParameterExportSort = components['parameters']['ExportSort'];
export type ParameterCsvDelimiter = components['parameters']['CsvDelimiter'];
export type ParameterCsvDecimal = components['parameters']['CsvDecimal'];
export type ParameterExportLanguage = components['parameters']['ExportLanguage'];
export type ParameterCsvBom = components['parameters']['CsvBom'];
export type ParameterTimeZone = components['parameters']['TimeZone'];
export type ParameterChargePointFilter = components['parameters']['ChargePointFilter'];
export type ParameterUserId = components['parameters']['UserId'];
export type ParameterKeyId = components['parameters']['KeyId'];
export type ParameterPrefer = components['parameters']['Prefer'];
export type ParameterCommandId = components['parameters']['CommandId'];
export type ParameterPageLimit = components['parameters']['PageLimit'];
export type ParameterPageCursor = components['parameters']['PageCursor'];
export type ParameterProfileId = components['parameters']['ProfileId'];
export type ParameterMeterId = components['parameters']['MeterId'];
export type ParameterMeasurementSeriesId = components['parameters']['MeasurementSeriesId'];
export type ParameterMeasurementPageLimit = components['parameters']['MeasurementPageLimit'];
export type ParameterMeasurementCursor = components['parameters']['MeasurementCursor'];
export type ParameterTimeseriesSeriesId = components['parameters']['TimeseriesSeriesId'];
export type ParameterTimeseriesPointId = components['parameters']['TimeseriesPointId'];
export type HeaderContentDisposition = components['headers']['ContentDisposition'];
export type HeaderReportId = components['headers']['ReportId'];
export type HeaderReportSha256 = components['headers']['ReportSha256'];
export type HeaderNoStore = components['headers']['NoStore'];
export type HeaderRetryAfter = components['headers']['RetryAfter'];
export type HeaderWwwAuthenticate = components['headers']['WwwAuthenticate'];
export type HeaderRateLimitLimit = components['headers']['RateLimitLimit'];
export type HeaderRateLimitRemaining = components['headers']['RateLimitRemaining'];
export type HeaderRateLimitReset = components['headers']['RateLimitReset'];
export type HeaderLocation = components['headers']['Location'];
export type HeaderPreferenceApplied = components['headers']['PreferenceApplied'];
export type $defs = Record<string, never>;
export interface operations {
    listChargePoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All chargepoints openWB has published, ordered by id */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3",
                     *           "name": "Garage",
                     *           "power": 11040,
                     *           "currents": [
                     *             16,
                     *             16,
                     *             16
                     *           ],
                     *           "voltages": [
                     *             230.1,
                     *             229.8,
                     *             231
                     *           ],
                     *           "phasesInUse": 0,
                     *           "energyImported": 1250030.67,
                     *           "energyExported": 0,
                     *           "energyToday": 8520,
                     *           "plugged": true,
                     *           "charging": true,
                     *           "locked": true,
                     *           "setCurrent": 16,
                     *           "chargeMode": "instant",
                     *           "rfidTag": "04A1B2C3",
                     *           "vehicle": {
                     *             "id": "1",
                     *             "name": "e-Golf",
                     *             "soc": 55
                     *           },
                     *           "fault": {
                     *             "state": "ok",
                     *             "message": "Kein Fehler."
                     *           },
                     *           "statusText": "Fahrzeug lädt.",
                     *           "updatedAt": "2026-05-20T14:00:00.000Z",
                     *           "stale": true
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ChargePointList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getChargePoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chargepoint */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3",
                     *       "name": "Garage",
                     *       "power": 11040,
                     *       "currents": [
                     *         16,
                     *         16,
                     *         16
                     *       ],
                     *       "voltages": [
                     *         230.1,
                     *         229.8,
                     *         231
                     *       ],
                     *       "phasesInUse": 0,
                     *       "energyImported": 1250030.67,
                     *       "energyExported": 0,
                     *       "energyToday": 8520,
                     *       "plugged": true,
                     *       "charging": true,
                     *       "locked": true,
                     *       "setCurrent": 16,
                     *       "chargeMode": "instant",
                     *       "rfidTag": "04A1B2C3",
                     *       "vehicle": {
                     *         "id": "1",
                     *         "name": "e-Golf",
                     *         "soc": 55
                     *       },
                     *       "fault": {
                     *         "state": "ok",
                     *         "message": "Kein Fehler."
                     *       },
                     *       "statusText": "Fahrzeug lädt.",
                     *       "updatedAt": "2026-05-20T14:00:00.000Z",
                     *       "stale": true
                     *     }
                     */
                    "application/json": components["schemas"]["ChargePoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getSite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The site */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "grid": {
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true,
                     *         "power": 1520.5,
                     *         "energyImported": 0,
                     *         "energyExported": 0
                     *       },
                     *       "pv": {
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true,
                     *         "power": 5230,
                     *         "energyToday": 0,
                     *         "energyTotal": 0
                     *       },
                     *       "battery": {
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true,
                     *         "power": 1500,
                     *         "soc": 78,
                     *         "energyImported": 0,
                     *         "energyExported": 0
                     *       },
                     *       "home": {
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true,
                     *         "power": 480,
                     *         "energyToday": 0
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Site"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listVehicles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All vehicles, ordered by id */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "updatedAt": "2026-05-20T14:00:00.000Z",
                     *           "stale": true,
                     *           "id": "3",
                     *           "name": "e-Golf",
                     *           "soc": 55,
                     *           "range": 210.5,
                     *           "socUpdatedAt": "2026-05-20T14:00:00.000Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["VehicleList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getVehicle: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The vehicle */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "updatedAt": "2026-05-20T14:00:00.000Z",
                     *       "stale": true,
                     *       "id": "3",
                     *       "name": "e-Golf",
                     *       "soc": 55,
                     *       "range": 210.5,
                     *       "socUpdatedAt": "2026-05-20T14:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Vehicle"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getSystem: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description System state */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "openwb": {
                     *         "generation": "2",
                     *         "configuredGeneration": "auto",
                     *         "version": "2.2.2",
                     *         "lastHeartbeatAt": "2026-05-20T14:00:00.000Z"
                     *       },
                     *       "broker": {
                     *         "connected": true,
                     *         "lastMessageAt": "2026-05-20T14:00:00.000Z",
                     *         "messagesReceived": 0,
                     *         "decodeErrors": 0
                     *       },
                     *       "gateway": {
                     *         "version": "0.1.0",
                     *         "startedAt": "2026-05-20T12:00:40.000Z",
                     *         "liveStore": "redis"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["System"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listSessions: {
        parameters: {
            query?: {
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; a date, or a date-time without offset, is local time in `tz`. Encode `+` as `%2B`.
                 * @example 2026-01-01
                 */
                from?: components["parameters"]["RangeFrom"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time, read like `from`
                 * @example 2027-01-01
                 */
                to?: components["parameters"]["RangeTo"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only sessions of this chargepoint id */
                chargepoint?: components["parameters"]["ChargePointFilter"];
                /**
                 * @description Only sessions of this openWB vehicle id (the corrected vehicle where a session was corrected)
                 * @example 1
                 */
                vehicle?: components["parameters"]["SessionVehicleFilter"];
                /** @description Only sessions with this RFID tag (exact, case-sensitive) */
                tag?: components["parameters"]["SessionTagFilter"];
                /** @description `start` / `-start` (newest first, the default) or `energy` / `-energy`; ties are broken by `id` */
                sort?: "start" | "-start" | "energy" | "-energy";
                /** @description Page size */
                limit?: number;
                /** @description `nextCursor` of the previous page (opaque; valid only with the same `sort`) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of sessions */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44",
                     *           "chargepointId": "3",
                     *           "start": "2026-05-20T12:00:40.000Z",
                     *           "end": "2026-05-20T14:00:00.000Z",
                     *           "energy": 22080,
                     *           "chargingTime": 7200,
                     *           "meanPower": 11040,
                     *           "peakPower": 11090,
                     *           "socStart": 40,
                     *           "socEnd": 76,
                     *           "chargeModes": [
                     *             "instant"
                     *           ],
                     *           "rfidTag": "04A1B2C3",
                     *           "vehicle": {
                     *             "id": "1",
                     *             "name": "e-Golf"
                     *           },
                     *           "user": {
                     *             "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *             "name": "alice"
                     *           },
                     *           "cost": 6.624,
                     *           "quality": "measured",
                     *           "correction": {
                     *             "vehicleId": "2",
                     *             "note": "private use",
                     *             "correctedAt": "2026-05-20T12:00:40.000Z",
                     *             "correctedBy": {
                     *               "type": "user",
                     *               "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *               "name": "alice"
                     *             },
                     *             "original": {
                     *               "vehicle": {
                     *                 "id": "1",
                     *                 "name": "e-Golf"
                     *               }
                     *             }
                     *           }
                     *         }
                     *       ],
                     *       "nextCursor": "MjAyNi0wNS0yMFQxMjowMDo0MC4wMDBa"
                     *     }
                     */
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getSessionSummary: {
        parameters: {
            query?: {
                /** @description Bucket size */
                interval?: "day" | "week" | "month" | "year";
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; a date, or a date-time without offset, is local time in `tz`. Encode `+` as `%2B`.
                 * @example 2026-01-01
                 */
                from?: components["parameters"]["RangeFrom"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time, read like `from`
                 * @example 2027-01-01
                 */
                to?: components["parameters"]["RangeTo"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only sessions of this chargepoint id */
                chargepoint?: components["parameters"]["ChargePointFilter"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The summary */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "interval": "day",
                     *       "timeZone": "Europe/Berlin",
                     *       "start": "2026-03-29T00:00:00.000+01:00",
                     *       "end": "2026-03-29T00:00:00.000+01:00",
                     *       "currency": "EUR",
                     *       "items": [
                     *         {
                     *           "start": "2026-03-29T00:00:00.000+01:00",
                     *           "count": 0,
                     *           "energy": 0,
                     *           "cost": 0,
                     *           "chargingTime": 0
                     *         }
                     *       ],
                     *       "totals": {
                     *         "count": 0,
                     *         "energy": 0,
                     *         "cost": 0,
                     *         "chargingTime": 0
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["SessionSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    exportSessionsCsv: {
        parameters: {
            query?: {
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; a date, or a date-time without offset, is local time in `tz`. Encode `+` as `%2B`.
                 * @example 2026-01-01
                 */
                from?: components["parameters"]["RangeFrom"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time, read like `from`
                 * @example 2027-01-01
                 */
                to?: components["parameters"]["RangeTo"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only sessions of this chargepoint id */
                chargepoint?: components["parameters"]["ChargePointFilter"];
                /**
                 * @description Only sessions of this openWB vehicle id (the corrected vehicle where a session was corrected)
                 * @example 1
                 */
                vehicle?: components["parameters"]["SessionVehicleFilter"];
                /** @description Only sessions with this RFID tag (exact, case-sensitive) */
                tag?: components["parameters"]["SessionTagFilter"];
                /** @description `start` (oldest first, the default) / `-start` or `energy` / `-energy`; ties are broken by `id` */
                sort?: components["parameters"]["ExportSort"];
                /** @description Field separator: `,` (RFC 4180, the default) or `;` (what spreadsheets with a decimal comma expect; send it as `%3B`) */
                delimiter?: components["parameters"]["CsvDelimiter"];
                /** @description Decimal separator of numbers: `point` (the default) or `comma` (German spreadsheets); a field holding the delimiter is quoted */
                decimal?: components["parameters"]["CsvDecimal"];
                /** @description Language of the column headers (and, in XLSX, of the totals row): `en` (the default) or `de` */
                lang?: components["parameters"]["ExportLanguage"];
                /** @description Start the file with a UTF-8 byte order mark, so that Excel reads umlauts right when it opens the file */
                bom?: components["parameters"]["CsvBom"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions as CSV (a download) */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["ContentDisposition"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example Session,Chargepoint,Start (Europe/Berlin),End (Europe/Berlin),Charging time (s),Energy (kWh),Meter start (kWh),Meter end (kWh),Mean power (W),Peak power (W),SoC start (%),SoC end (%),Charge modes,RFID tag,Vehicle id,Vehicle,User,Cost (EUR),Quality,Corrected,Recorded vehicle id,Recorded vehicle,Correction note,Corrected at (Europe/Berlin),Corrected by
                     *     5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44,3,2026-03-01 09:00:40,2026-03-01 11:05:10,7200,22.08,1250.5,1272.58,11040,11090,40,76,instant,04A1B2C3,2,Zoe,anna,6.624,measured,yes,1,e-Golf,private use,2026-03-02 08:00:00,anna
                     */
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    exportSessionsXlsx: {
        parameters: {
            query?: {
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; a date, or a date-time without offset, is local time in `tz`. Encode `+` as `%2B`.
                 * @example 2026-01-01
                 */
                from?: components["parameters"]["RangeFrom"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time, read like `from`
                 * @example 2027-01-01
                 */
                to?: components["parameters"]["RangeTo"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only sessions of this chargepoint id */
                chargepoint?: components["parameters"]["ChargePointFilter"];
                /**
                 * @description Only sessions of this openWB vehicle id (the corrected vehicle where a session was corrected)
                 * @example 1
                 */
                vehicle?: components["parameters"]["SessionVehicleFilter"];
                /** @description Only sessions with this RFID tag (exact, case-sensitive) */
                tag?: components["parameters"]["SessionTagFilter"];
                /** @description `start` (oldest first, the default) / `-start` or `energy` / `-energy`; ties are broken by `id` */
                sort?: components["parameters"]["ExportSort"];
                /** @description Language of the column headers (and, in XLSX, of the totals row): `en` (the default) or `de` */
                lang?: components["parameters"]["ExportLanguage"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions as an XLSX workbook (a download) */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["ContentDisposition"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getSessionReport: {
        parameters: {
            query?: {
                /** @description Calendar month `YYYY-MM` (the default period: the current month in `tz`) */
                month?: string;
                /** @description Calendar quarter `YYYY-Qn` */
                quarter?: string;
                /** @description Calendar year */
                year?: number;
                /** @description Start of a free period (inclusive, with `to`): ISO 8601 date or date-time, local time in `tz` without an offset */
                from?: components["schemas"]["PeriodBound"];
                /** @description End of a free period (exclusive, with `from`): ISO 8601 date or date-time, read like `from` */
                to?: components["schemas"]["PeriodBound"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only sessions of this chargepoint id */
                chargepoint?: components["parameters"]["ChargePointFilter"];
                /** @description Only sessions of this openWB vehicle id */
                vehicle?: components["schemas"]["EntityId"];
                /** @description Only sessions with this RFID tag (exact, case-sensitive) */
                tag?: string;
                /** @description Only sessions attributed to this user (admins; a `user` may name only themselves) */
                user?: components["schemas"]["Uuid"];
                /** @description `tariff` (recorded costs) or `flat` (`REPORT_FLAT_RATE_PER_KWH`, 400 when not configured); default `flat` when configured, else `tariff` */
                basis?: "tariff" | "flat";
                /** @description Language of the report: German (date and number formats of Germany) or English (of the United Kingdom) */
                lang?: "de" | "en";
                /** @description Lines for the signatures of employee and employer at the end */
                signatures?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["ContentDisposition"];
                    "X-Report-Id": components["headers"]["ReportId"];
                    "X-Report-Sha256": components["headers"]["ReportSha256"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Session id (a UUID) */
                sessionId: components["schemas"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44",
                     *       "chargepointId": "3",
                     *       "start": "2026-05-20T12:00:40.000Z",
                     *       "end": "2026-05-20T14:00:00.000Z",
                     *       "energy": 22080,
                     *       "chargingTime": 7200,
                     *       "meanPower": 11040,
                     *       "peakPower": 11090,
                     *       "socStart": 40,
                     *       "socEnd": 76,
                     *       "chargeModes": [
                     *         "instant"
                     *       ],
                     *       "rfidTag": "04A1B2C3",
                     *       "vehicle": {
                     *         "id": "1",
                     *         "name": "e-Golf"
                     *       },
                     *       "user": {
                     *         "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *         "name": "alice"
                     *       },
                     *       "cost": 6.624,
                     *       "quality": "measured",
                     *       "correction": {
                     *         "vehicleId": "2",
                     *         "note": "private use",
                     *         "correctedAt": "2026-05-20T12:00:40.000Z",
                     *         "correctedBy": {
                     *           "type": "user",
                     *           "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *           "name": "alice"
                     *         },
                     *         "original": {
                     *           "vehicle": {
                     *             "id": "1",
                     *             "name": "e-Golf"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Session"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    correctSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Session id (a UUID) */
                sessionId: components["schemas"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "vehicleId": "2",
                 *       "note": "private use"
                 *     }
                 */
                "application/json": components["schemas"]["SessionCorrectionUpdate"];
            };
        };
        responses: {
            /** @description The session with its correction */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44",
                     *       "chargepointId": "3",
                     *       "start": "2026-05-20T12:00:40.000Z",
                     *       "end": "2026-05-20T14:00:00.000Z",
                     *       "energy": 22080,
                     *       "chargingTime": 7200,
                     *       "meanPower": 11040,
                     *       "peakPower": 11090,
                     *       "socStart": 40,
                     *       "socEnd": 76,
                     *       "chargeModes": [
                     *         "instant"
                     *       ],
                     *       "rfidTag": "04A1B2C3",
                     *       "vehicle": {
                     *         "id": "1",
                     *         "name": "e-Golf"
                     *       },
                     *       "user": {
                     *         "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *         "name": "alice"
                     *       },
                     *       "cost": 6.624,
                     *       "quality": "measured",
                     *       "correction": {
                     *         "vehicleId": "2",
                     *         "note": "private use",
                     *         "correctedAt": "2026-05-20T12:00:40.000Z",
                     *         "correctedBy": {
                     *           "type": "user",
                     *           "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *           "name": "alice"
                     *         },
                     *         "original": {
                     *           "vehicle": {
                     *             "id": "1",
                     *             "name": "e-Golf"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Session"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getHistory: {
        parameters: {
            query: {
                /**
                 * @description Comma-separated series ids, e.g. `grid.power,chargepoint.3.energyImported`; `GET /api/v1/history/series` lists them
                 * @example [
                 *       "grid.power",
                 *       "chargepoint.3.energyImported"
                 *     ]
                 */
                series: components["schemas"]["SeriesId"][];
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-01
                 */
                start?: components["schemas"]["DateTimeParam"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-08
                 */
                end?: components["schemas"]["DateTimeParam"];
                /** @description Length of the range in calendar units of `tz`: `<n>min`, `<n>h`, `<n>d`, `<n>w`, `<n>month`, `<n>y`, e.g. `7d`, `1month` */
                duration?: string;
                /** @description Bucket size */
                interval?: components["schemas"]["HistoryInterval"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Comma-separated fields to return (see the description); default: every field that applies */
                fields?: components["schemas"]["HistoryField"][];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series, each with one point per bucket */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "start": "2026-03-29T00:00:00.000+01:00",
                     *       "end": "2026-03-29T00:00:00.000+01:00",
                     *       "interval": "day",
                     *       "timeZone": "Europe/Berlin",
                     *       "series": [
                     *         {
                     *           "id": "chargepoint.3.energyImported",
                     *           "kind": "power",
                     *           "unit": "W",
                     *           "points": [
                     *             {
                     *               "start": "2026-03-29T00:00:00.000+01:00",
                     *               "energy": 0,
                     *               "quality": "corrected",
                     *               "avgPower": 0,
                     *               "maxPower": 0,
                     *               "minPower": 0,
                     *               "avgSoc": 0,
                     *               "minSoc": 0,
                     *               "maxSoc": 0
                     *             }
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["History"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    exportHistoryCsv: {
        parameters: {
            query: {
                /**
                 * @description Comma-separated series ids, e.g. `grid.power,chargepoint.3.energyImported`; `GET /api/v1/history/series` lists them
                 * @example [
                 *       "grid.power",
                 *       "chargepoint.3.energyImported"
                 *     ]
                 */
                series: components["schemas"]["SeriesId"][];
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-01
                 */
                start?: components["schemas"]["DateTimeParam"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-08
                 */
                end?: components["schemas"]["DateTimeParam"];
                /** @description Length of the range in calendar units of `tz`: `<n>min`, `<n>h`, `<n>d`, `<n>w`, `<n>month`, `<n>y`, e.g. `7d`, `1month` */
                duration?: string;
                /** @description Bucket size */
                interval?: components["schemas"]["HistoryInterval"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Comma-separated fields to return (see the description); default: every field that applies */
                fields?: components["schemas"]["HistoryField"][];
                /** @description Field separator: `,` (RFC 4180, the default) or `;` (what spreadsheets with a decimal comma expect; send it as `%3B`) */
                delimiter?: components["parameters"]["CsvDelimiter"];
                /** @description Decimal separator of numbers: `point` (the default) or `comma` (German spreadsheets); a field holding the delimiter is quoted */
                decimal?: components["parameters"]["CsvDecimal"];
                /** @description Language of the column headers (and, in XLSX, of the totals row): `en` (the default) or `de` */
                lang?: components["parameters"]["ExportLanguage"];
                /** @description Start the file with a UTF-8 byte order mark, so that Excel reads umlauts right when it opens the file */
                bom?: components["parameters"]["CsvBom"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The buckets as CSV (a download) */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["ContentDisposition"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example Start (Europe/Berlin),grid.power avgPower (W),grid.energyImported energy (Wh),grid.energyImported quality
                     *     2026-03-01 00:00:00,512.5,2100,measured
                     */
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listHistorySeries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All recorded series, ordered by id */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "chargepoint.3.energyImported",
                     *           "kind": "power",
                     *           "unit": "W",
                     *           "firstSampleAt": "2026-05-20T14:00:00.000Z",
                     *           "lastSampleAt": "2026-05-20T14:00:00.000Z"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["HistorySeriesList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "username": "alice",
                 *       "password": "correct horse battery staple"
                 *     }
                 */
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Logged in */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accessToken": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
                     *       "refreshToken": "owr_QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
                     *       "expiresIn": 900
                     *     }
                     */
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    refreshToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "refreshToken": "owr_QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
                 *     }
                 */
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description New tokens */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "accessToken": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
                     *       "refreshToken": "owr_QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
                     *       "expiresIn": 900
                     *     }
                     */
                    "application/json": components["schemas"]["TokenPair"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "refreshToken": "owr_QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
                 *     }
                 */
                "application/json": components["schemas"]["LogoutRequest"];
            };
        };
        responses: {
            /** @description Logged out */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getCurrentPrincipal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "kind": "apiKey",
                     *       "userId": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *       "name": "alice",
                     *       "role": "admin",
                     *       "scopes": [
                     *         "read"
                     *       ],
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "keyId": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13"
                     *     }
                     */
                    "application/json": components["schemas"]["CurrentPrincipal"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "currentPassword": "old password 123",
                 *       "newPassword": "correct horse battery staple"
                 *     }
                 */
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description Password changed; every session ended */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listUsers: {
        parameters: {
            query?: {
                /** @description Items per page */
                limit?: components["parameters"]["PageLimit"];
                /** @description `nextCursor` of the previous page (opaque); without it, the first page */
                cursor?: components["parameters"]["PageCursor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All users */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "name": "alice",
                     *           "role": "admin",
                     *           "chargepoints": [
                     *             "3"
                     *           ],
                     *           "disabled": true,
                     *           "createdAt": "2026-05-20T12:00:40.000Z",
                     *           "updatedAt": "2026-05-20T12:00:40.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["UserList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "alice",
                 *       "role": "admin",
                 *       "password": "correct horse battery staple",
                 *       "chargepoints": [
                 *         "3"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["NewUser"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "alice",
                     *       "role": "admin",
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "disabled": true,
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "alice",
                     *       "role": "admin",
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "disabled": true,
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "role": "admin",
                 *       "password": "correct horse battery staple",
                 *       "chargepoints": [
                 *         "3"
                 *       ],
                 *       "disabled": true
                 *     }
                 */
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description The changed user */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "alice",
                     *       "role": "admin",
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "disabled": true,
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    listApiKeys: {
        parameters: {
            query?: {
                /** @description Items per page */
                limit?: components["parameters"]["PageLimit"];
                /** @description `nextCursor` of the previous page (opaque); without it, the first page */
                cursor?: components["parameters"]["PageCursor"];
                /** @description `me` (default): your keys; `all`: every key (admins only) */
                owner?: "me" | "all";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The keys */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "name": "phone",
                     *           "prefix": "owg_k3x9m2pq",
                     *           "scopes": [
                     *             "read"
                     *           ],
                     *           "chargepoints": [
                     *             "3"
                     *           ],
                     *           "device": null,
                     *           "userId": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *           "createdAt": "2026-05-20T12:00:40.000Z",
                     *           "expiresAt": "2026-05-20T14:00:00.000Z",
                     *           "lastUsedAt": "2026-05-20T14:00:00.000Z",
                     *           "revokedAt": "2026-05-20T14:00:00.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["ApiKeyList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "phone",
                 *       "scopes": [
                 *         "read"
                 *       ],
                 *       "chargepoints": [
                 *         "3"
                 *       ],
                 *       "expiresAt": "2027-12-31T23:59:59Z"
                 *     }
                 */
                "application/json": components["schemas"]["NewApiKey"];
            };
        };
        responses: {
            /** @description Created; `key` is shown only this once */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "owg_a1b2c3d4_SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
                     *       "apiKey": {
                     *         "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *         "name": "phone",
                     *         "prefix": "owg_k3x9m2pq",
                     *         "scopes": [
                     *           "read"
                     *         ],
                     *         "chargepoints": [
                     *           "3"
                     *         ],
                     *         "device": null,
                     *         "userId": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *         "createdAt": "2026-05-20T12:00:40.000Z",
                     *         "expiresAt": "2026-05-20T14:00:00.000Z",
                     *         "lastUsedAt": "2026-05-20T14:00:00.000Z",
                     *         "revokedAt": "2026-05-20T14:00:00.000Z"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    revokeApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The API key's id (not the key) */
                keyId: components["parameters"]["KeyId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                /** @description Only entries of this actor (user id, key id, or name) */
                actor?: string;
                /** @description Only this action, e.g. `auth.login`, `user.update`, `key.revoke` */
                action?: string;
                /**
                 * @description Entries at or after this time
                 * @example 2026-01-01T00:00:00Z
                 */
                from?: components["schemas"]["Timestamp"];
                /**
                 * @description Entries before this time
                 * @example 2027-01-01T00:00:00Z
                 */
                to?: components["schemas"]["Timestamp"];
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Entries per page */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of entries */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "42",
                     *           "at": "2026-05-20T12:00:40.000Z",
                     *           "action": "auth.login",
                     *           "outcome": "success",
                     *           "actor": {
                     *             "type": "user",
                     *             "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *             "name": "alice"
                     *           },
                     *           "target": {
                     *             "type": "user",
                     *             "id": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13"
                     *           },
                     *           "ip": "192.168.1.20",
                     *           "userAgent": "openwb-app/1.4 (iOS 18)",
                     *           "detail": {}
                     *         }
                     *       ],
                     *       "nextCursor": "MjAyNi0wNS0yMFQxMjowMDo0MC4wMDBa"
                     *     }
                     */
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getChargeSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings as openWB last published them */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "chargepointId": "3",
                     *       "chargeMode": "instant",
                     *       "global": true,
                     *       "templateId": "1",
                     *       "instantCharging": {
                     *         "current": 0,
                     *         "phases": 0,
                     *         "limit": {
                     *           "type": "none",
                     *           "soc": 0,
                     *           "energy": 0
                     *         }
                     *       },
                     *       "pvCharging": {
                     *         "minCurrent": 0,
                     *         "minSoc": 0,
                     *         "minSocCurrent": 0,
                     *         "phases": 0,
                     *         "feedInLimit": true,
                     *         "limit": {
                     *           "type": "none",
                     *           "soc": 0,
                     *           "energy": 0
                     *         }
                     *       },
                     *       "updatedAt": "2026-05-20T14:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ChargeSettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setChargeMode: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "mode": "minPv",
                 *       "minCurrent": 16
                 *     }
                 */
                "application/json": components["schemas"]["ChargeModeRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setInstantCharging: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "current": 16,
                 *       "phases": 1,
                 *       "limit": {
                 *         "type": "none",
                 *         "soc": 1,
                 *         "energy": 1
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["InstantChargingRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setPvCharging: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "minCurrent": 0,
                 *       "minSoc": 0,
                 *       "minSocCurrent": 16,
                 *       "phases": 0,
                 *       "feedInLimit": true,
                 *       "limit": {
                 *         "type": "none",
                 *         "soc": 1,
                 *         "energy": 1
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PvChargingRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setChargePointLock: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "locked": true
                 *     }
                 */
                "application/json": components["schemas"]["LockRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setChargePointVehicle: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "vehicleId": "1"
                 *     }
                 */
                "application/json": components["schemas"]["VehicleAssignment"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setChargePointVehicleSoc: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "soc": 42
                 *     }
                 */
                "application/json": components["schemas"]["VehicleSocRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    requestChargePointSocUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
                chargepointId: components["parameters"]["ChargePointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setVehicleSoc: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "soc": 42
                 *     }
                 */
                "application/json": components["schemas"]["VehicleSocRequest"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    requestVehicleSocUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setVehicleChargeTemplate: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "chargeTemplateId": "1"
                 *     }
                 */
                "application/json": components["schemas"]["ChargeTemplateAssignment"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getVehicleSocModule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The configuration, secrets masked */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "vehicleId": "3",
                     *       "type": "kia",
                     *       "name": "alice",
                     *       "official": true,
                     *       "configuration": {
                     *         "user_id": "me@example.com",
                     *         "password": {
                     *           "set": true
                     *         },
                     *         "vin": "WVWZZZ1KZAW000000"
                     *       },
                     *       "secrets": [
                     *         "string"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["SocModuleConfig"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    setVehicleSocModule: {
        parameters: {
            query?: never;
            header?: {
                /** @description RFC 7240: `respond-async` answers 202 at once; `wait=<seconds>` waits at most that long (never longer than `COMMAND_TIMEOUT_S`) */
                Prefer?: components["parameters"]["Prefer"];
            };
            path: {
                /**
                 * @description openWB 2.x vehicle id (`0` is openWB's default vehicle)
                 * @example 1
                 */
                vehicleId: components["parameters"]["VehicleId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "type": "manual",
                 *       "configuration": {}
                 *     }
                 */
                "application/json": components["schemas"]["SocModuleUpdate"];
            };
        };
        responses: {
            200: components["responses"]["CommandApplied"];
            202: components["responses"]["CommandAccepted"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listSocModules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The modules */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "type": "manual",
                     *           "name": "Manueller SoC",
                     *           "official": true,
                     *           "configuration": {
                     *             "user_id": "me@example.com",
                     *             "password": {
                     *               "set": true
                     *             },
                     *             "vin": "WVWZZZ1KZAW000000"
                     *           },
                     *           "secrets": [
                     *             "string"
                     *           ]
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["SocModuleList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listChargeTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The charge templates, ordered by id */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3",
                     *           "name": "Standard-Lade-Profil"
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["ChargeTemplateList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getCommand: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The command's id (from the reply of a control operation or its `Location`) */
                commandId: components["parameters"]["CommandId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The command */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "action": "chargeMode",
                     *       "status": "pending",
                     *       "target": {
                     *         "type": "chargepoint",
                     *         "id": "3"
                     *       },
                     *       "via": "api",
                     *       "request": {
                     *         "mode": "instant",
                     *         "minCurrent": 0,
                     *         "current": 16,
                     *         "phases": 0,
                     *         "limit": {
                     *           "type": "none",
                     *           "soc": 1,
                     *           "energy": 1
                     *         },
                     *         "minSoc": 0,
                     *         "minSocCurrent": 16,
                     *         "feedInLimit": true,
                     *         "locked": true,
                     *         "vehicleId": "3",
                     *         "soc": 0,
                     *         "chargeTemplateId": "3",
                     *         "socModuleType": "manual",
                     *         "socModuleKeys": [
                     *           "string"
                     *         ],
                     *         "chargeMode": "instant",
                     *         "instantCharging": {
                     *           "current": 16,
                     *           "phases": 1,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "pvCharging": {
                     *           "minCurrent": 0,
                     *           "minSoc": 0,
                     *           "minSocCurrent": 16,
                     *           "phases": 0,
                     *           "feedInLimit": true,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         }
                     *       },
                     *       "topics": [
                     *         "openWB/set/chargepoint/3/set/charge_template"
                     *       ],
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "completedAt": "2026-05-20T14:00:00.000Z",
                     *       "detail": "ok",
                     *       "chargepoint": {
                     *         "id": "3",
                     *         "name": "Garage",
                     *         "power": 11040,
                     *         "currents": [
                     *           16,
                     *           16,
                     *           16
                     *         ],
                     *         "voltages": [
                     *           230.1,
                     *           229.8,
                     *           231
                     *         ],
                     *         "phasesInUse": 0,
                     *         "energyImported": 1250030.67,
                     *         "energyExported": 0,
                     *         "energyToday": 8520,
                     *         "plugged": true,
                     *         "charging": true,
                     *         "locked": true,
                     *         "setCurrent": 16,
                     *         "chargeMode": "instant",
                     *         "rfidTag": "04A1B2C3",
                     *         "vehicle": {
                     *           "id": "1",
                     *           "name": "e-Golf",
                     *           "soc": 55
                     *         },
                     *         "fault": {
                     *           "state": "ok",
                     *           "message": "Kein Fehler."
                     *         },
                     *         "statusText": "Fahrzeug lädt.",
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true
                     *       },
                     *       "settings": {
                     *         "chargepointId": "3",
                     *         "chargeMode": "instant",
                     *         "global": true,
                     *         "templateId": "1",
                     *         "instantCharging": {
                     *           "current": 0,
                     *           "phases": 0,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 0,
                     *             "energy": 0
                     *           }
                     *         },
                     *         "pvCharging": {
                     *           "minCurrent": 0,
                     *           "minSoc": 0,
                     *           "minSocCurrent": 0,
                     *           "phases": 0,
                     *           "feedInLimit": true,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 0,
                     *             "energy": 0
                     *           }
                     *         },
                     *         "updatedAt": "2026-05-20T14:00:00.000Z"
                     *       },
                     *       "vehicle": {
                     *         "updatedAt": "2026-05-20T14:00:00.000Z",
                     *         "stale": true,
                     *         "id": "3",
                     *         "name": "e-Golf",
                     *         "soc": 55,
                     *         "range": 210.5,
                     *         "socUpdatedAt": "2026-05-20T14:00:00.000Z"
                     *       },
                     *       "socModule": {
                     *         "vehicleId": "3",
                     *         "type": "kia",
                     *         "name": "alice",
                     *         "official": true,
                     *         "configuration": {
                     *           "user_id": "me@example.com",
                     *           "password": {
                     *             "set": true
                     *           },
                     *           "vin": "WVWZZZ1KZAW000000"
                     *         },
                     *         "secrets": [
                     *           "string"
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Command"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listProfiles: {
        parameters: {
            query?: {
                /** @description Items per page */
                limit?: components["parameters"]["PageLimit"];
                /** @description `nextCursor` of the previous page (opaque); without it, the first page */
                cursor?: components["parameters"]["PageCursor"];
                /** @description Admins: only profiles of this user (users always see only their own) */
                user?: components["schemas"]["Uuid"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The profiles, ordered by name */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "name": "Alice's e-Golf",
                     *           "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "userName": "alice",
                     *           "tags": [
                     *             "04A1B2C3"
                     *           ],
                     *           "chargepoints": [
                     *             "3"
                     *           ],
                     *           "preset": {
                     *             "chargeMode": "instant",
                     *             "instantCharging": {
                     *               "current": 16,
                     *               "phases": 1,
                     *               "limit": {
                     *                 "type": "none",
                     *                 "soc": 1,
                     *                 "energy": 1
                     *               }
                     *             },
                     *             "pvCharging": {
                     *               "minCurrent": 0,
                     *               "minSoc": 0,
                     *               "minSocCurrent": 16,
                     *               "phases": 0,
                     *               "feedInLimit": true,
                     *               "limit": {
                     *                 "type": "none",
                     *                 "soc": 1,
                     *                 "energy": 1
                     *               }
                     *             },
                     *             "vehicleId": "1"
                     *           },
                     *           "createdAt": "2026-05-20T12:00:40.000Z",
                     *           "updatedAt": "2026-05-20T12:00:40.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["ProfileList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    createProfile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "alice",
                 *       "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                 *       "tags": [
                 *         "04A1B2C3"
                 *       ],
                 *       "chargepoints": [
                 *         "3"
                 *       ],
                 *       "preset": {
                 *         "chargeMode": "instant",
                 *         "instantCharging": {
                 *           "current": 16,
                 *           "phases": 1,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 16,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "vehicleId": "1"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["NewProfile"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "Alice's e-Golf",
                     *       "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "userName": "alice",
                     *       "tags": [
                     *         "04A1B2C3"
                     *       ],
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "preset": {
                     *         "chargeMode": "instant",
                     *         "instantCharging": {
                     *           "current": 16,
                     *           "phases": 1,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "pvCharging": {
                     *           "minCurrent": 0,
                     *           "minSoc": 0,
                     *           "minSocCurrent": 16,
                     *           "phases": 0,
                     *           "feedInLimit": true,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "vehicleId": "1"
                     *       },
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Profile"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The RFID profile's id */
                profileId: components["parameters"]["ProfileId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The profile */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "Alice's e-Golf",
                     *       "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "userName": "alice",
                     *       "tags": [
                     *         "04A1B2C3"
                     *       ],
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "preset": {
                     *         "chargeMode": "instant",
                     *         "instantCharging": {
                     *           "current": 16,
                     *           "phases": 1,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "pvCharging": {
                     *           "minCurrent": 0,
                     *           "minSoc": 0,
                     *           "minSocCurrent": 16,
                     *           "phases": 0,
                     *           "feedInLimit": true,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "vehicleId": "1"
                     *       },
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Profile"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    deleteProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The RFID profile's id */
                profileId: components["parameters"]["ProfileId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    updateProfile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The RFID profile's id */
                profileId: components["parameters"]["ProfileId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "alice",
                 *       "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                 *       "tags": [
                 *         "04A1B2C3"
                 *       ],
                 *       "chargepoints": [
                 *         "3"
                 *       ],
                 *       "preset": {
                 *         "chargeMode": "instant",
                 *         "instantCharging": {
                 *           "current": 16,
                 *           "phases": 1,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "pvCharging": {
                 *           "minCurrent": 0,
                 *           "minSoc": 0,
                 *           "minSocCurrent": 16,
                 *           "phases": 0,
                 *           "feedInLimit": true,
                 *           "limit": {
                 *             "type": "none",
                 *             "soc": 1,
                 *             "energy": 1
                 *           }
                 *         },
                 *         "vehicleId": "1"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ProfileUpdate"];
            };
        };
        responses: {
            /** @description The changed profile */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "Alice's e-Golf",
                     *       "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "userName": "alice",
                     *       "tags": [
                     *         "04A1B2C3"
                     *       ],
                     *       "chargepoints": [
                     *         "3"
                     *       ],
                     *       "preset": {
                     *         "chargeMode": "instant",
                     *         "instantCharging": {
                     *           "current": 16,
                     *           "phases": 1,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "pvCharging": {
                     *           "minCurrent": 0,
                     *           "minSoc": 0,
                     *           "minSocCurrent": 16,
                     *           "phases": 0,
                     *           "feedInLimit": true,
                     *           "limit": {
                     *             "type": "none",
                     *             "soc": 1,
                     *             "energy": 1
                     *           }
                     *         },
                     *         "vehicleId": "1"
                     *       },
                     *       "createdAt": "2026-05-20T12:00:40.000Z",
                     *       "updatedAt": "2026-05-20T12:00:40.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Profile"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listRfidEvents: {
        parameters: {
            query?: {
                /** @description Only events of this chargepoint */
                chargepoint?: components["schemas"]["EntityId"];
                /** @description Only events with this outcome */
                outcome?: components["schemas"]["RfidOutcome"];
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Events per page */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of events */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "42",
                     *           "at": "2026-05-20T12:00:40.000Z",
                     *           "chargepointId": "3",
                     *           "tag": "04A1B2C3",
                     *           "source": "scan",
                     *           "outcome": "pending",
                     *           "detail": "ok",
                     *           "profileId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                     *           "userId": "3f2a8c1e-5b7d-4e9a-9c1f-2d4b6a8e0f13",
                     *           "commandIds": [
                     *             "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b"
                     *           ],
                     *           "sessionId": "5b0c2f3e-8a51-4c1e-9d7a-2f1e0b7c9a44"
                     *         }
                     *       ],
                     *       "nextCursor": "MjAyNi0wNS0yMFQxMjowMDo0MC4wMDBa"
                     *     }
                     */
                    "application/json": components["schemas"]["RfidEventPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    openStream: {
        parameters: {
            query?: {
                /** @description A single-use ticket from `POST /api/v1/stream/tickets`, for browsers (instead of a header); used up by the first attempt whose query is valid (a narrowing answered 400 leaves it unused) */
                ticket?: components["schemas"]["StreamTicketValue"];
                /**
                 * @description Comma-separated chargepoint ids: only these chargepoints' values and events (sessions, commands, RFID
                 *     scans on them) reach the connection; the site, vehicles, system and broker events are not narrowed.
                 *     Chargepoints the caller may not use stay hidden whether named or not. Default: every chargepoint
                 *     the caller may use.
                 * @example [
                 *       "3",
                 *       "4"
                 *     ]
                 */
                chargepoints?: components["parameters"]["StreamChargepoints"];
                /**
                 * @description Comma-separated: what the connection receives. `values`: the snapshot's objects and their `changed`,
                 *     `stale` and `removed` messages; `events`: every event; or single events: `sessions`, `commands`, `rfid`,
                 *     `connection`. Default: `values,events`. Without `values` the snapshot carries the `system` only.
                 * @example [
                 *       "values",
                 *       "events"
                 *     ]
                 */
                topics?: components["parameters"]["StreamTopics"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching to the WebSocket protocol; the stream's messages follow (see `/asyncapi.yaml`) */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /**
             * @description With `Accept: text/event-stream` and no upgrade: the same messages as Server-Sent Events (for `curl`,
             *     shells, browsers' `EventSource` and clients without WebSocket), each the same JSON on one `data:`
             *     line. Credentials in the headers, or `?ticket=`.
             */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example data: {"seq":1,"type":"snapshot","chargepoints":[],"site":{},"vehicles":[],"system":{}}
                     *
                     *     data: {"seq":2,"type":"stale","kind":"chargepoint","id":"3","updatedAt":"2026-05-20T12:00:40.000Z"}
                     *
                     *     data: {"seq":3,"type":"connection","connected":false,"at":"2026-05-20T12:00:41.000Z"}
                     */
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    createStreamTicket: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A ticket for one connection */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "ticket": "st_4f1c2a9be07d48b3a5c6e1f09d27b8aa3c5e7f91b2d4a6c8",
                     *       "expiresAt": "2026-05-20T12:00:30.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["StreamTicket"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listEnergSyncChargers: {
        parameters: {
            query?: {
                /**
                 * @description Only these chargers. Every form EnergSync clients send is accepted: repeated
                 *     (`chargerIds=3&chargerIds=4`, as declared here), with the literal bracket name of EnergSync 1.0.7
                 *     (`chargerIds[]=3&chargerIds[]=4`), and comma-separated (`chargerIds=3,4`, EnergSync 1.2.0 and the AWS
                 *     guide), also mixed. At most 100 ids.
                 * @example [
                 *       "3",
                 *       "4"
                 *     ]
                 */
                chargerIds?: components["parameters"]["EnergSyncChargerIds"];
                /** @description Page number, 1-based; a page beyond the last is empty */
                page?: components["parameters"]["EnergSyncPage"];
                /** @description Rows on a page */
                pageSize?: components["parameters"]["EnergSyncPageSize"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of chargers */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "chargers": [
                     *         {
                     *           "id": "3",
                     *           "name": "Garage",
                     *           "serialNumber": "12345678",
                     *           "model": "openWB series2 custom",
                     *           "manufacturer": "openWB",
                     *           "maxAvailableCurrent": 16,
                     *           "maxOutputPower": 11040,
                     *           "outputVoltage": 230,
                     *           "numberOfConnectors": 1,
                     *           "timeZone": "Europe/Berlin",
                     *           "latitude": 52.52,
                     *           "longitude": 13.405,
                     *           "commissioningDate": "2024-04-12"
                     *         }
                     *       ],
                     *       "total": 0
                     *     }
                     */
                    "application/json": components["schemas"]["EnergSyncChargerList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getEnergSyncCharger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Charger id: the openWB chargepoint id */
                chargerId: components["parameters"]["EnergSyncChargerId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The charger */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3",
                     *       "name": "Garage",
                     *       "serialNumber": "12345678",
                     *       "model": "openWB series2 custom",
                     *       "manufacturer": "openWB",
                     *       "maxAvailableCurrent": 16,
                     *       "maxOutputPower": 11040,
                     *       "outputVoltage": 230,
                     *       "numberOfConnectors": 1,
                     *       "timeZone": "Europe/Berlin",
                     *       "latitude": 52.52,
                     *       "longitude": 13.405,
                     *       "commissioningDate": "2024-04-12"
                     *     }
                     */
                    "application/json": components["schemas"]["EnergSyncCharger"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listEnergSyncSessions: {
        parameters: {
            query: {
                /** @description First UTC calendar date (`YYYY-MM-DD`): sessions starting at or after 00:00:00 UTC on it */
                startDate: string;
                /** @description Last UTC calendar date (`YYYY-MM-DD`), inclusive of its whole day; default: today (UTC). Not before `startDate` */
                endDate?: string;
                /** @description Page number, 1-based; a page beyond the last is empty */
                page?: components["parameters"]["EnergSyncPage"];
                /** @description Rows on a page */
                pageSize?: components["parameters"]["EnergSyncPageSize"];
            };
            header?: never;
            path: {
                /** @description Charger id: the openWB chargepoint id */
                chargerId: components["parameters"]["EnergSyncChargerId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of sessions */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "sessions": [
                     *         {
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "chargerId": "3",
                     *           "energy": 18250,
                     *           "startTime": "2026-03-01T17:02:10.000Z",
                     *           "endTime": "2026-03-01T21:40:00.000Z",
                     *           "chargingDuration": 6120,
                     *           "quality": "measured"
                     *         }
                     *       ],
                     *       "total": 1
                     *     }
                     */
                    "application/json": components["schemas"]["EnergSyncSessionList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is up */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok"
                     *     }
                     */
                    "application/json": components["schemas"]["Liveness"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready to serve */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "broker": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "liveStore": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "database": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "recorder": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "active": true,
                     *           "bufferedSamples": 0,
                     *           "bufferedSessions": 0,
                     *           "lostSamples": 0,
                     *           "lostSessions": 0,
                     *           "stalled": false,
                     *           "lastWriteAt": "2026-05-20T12:00:40.000Z"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            /** @description Not ready; `checks` says which dependency failed */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ready",
                     *       "checks": {
                     *         "broker": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "liveStore": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "database": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "latencyMs": 0
                     *         },
                     *         "recorder": {
                     *           "ok": true,
                     *           "detail": "ok",
                     *           "active": true,
                     *           "bufferedSamples": 0,
                     *           "bufferedSessions": 0,
                     *           "lostSamples": 0,
                     *           "lostSessions": 0,
                     *           "stalled": false,
                     *           "lastWriteAt": "2026-05-20T12:00:40.000Z"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            default: components["responses"]["Error"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metrics in the Prometheus text format */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example # HELP openwb_mqtt_messages_total MQTT messages received from openWB
                     *     # TYPE openwb_mqtt_messages_total counter
                     *     openwb_mqtt_messages_total 1234
                     */
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    listMeters: {
        parameters: {
            query?: {
                /** @description Meters per page */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of meters */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "name": "House meter",
                     *           "userId": "8d0c7a52-1f3e-4b6a-9c2d-5e4f3a2b1c0d",
                     *           "energyPerPulseWh": 13.333,
                     *           "startReadingWh": 25503550,
                     *           "createdAt": "2026-03-01T10:00:00.000Z",
                     *           "updatedAt": "2026-03-01T10:00:00.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["MeterPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    createMeter: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "House meter",
                 *       "energyPerPulseWh": 13.333,
                 *       "startReadingWh": 25503550
                 *     }
                 */
                "application/json": components["schemas"]["NewMeter"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "House meter",
                     *       "userId": "8d0c7a52-1f3e-4b6a-9c2d-5e4f3a2b1c0d",
                     *       "energyPerPulseWh": 13.333,
                     *       "startReadingWh": 25503550,
                     *       "createdAt": "2026-03-01T10:00:00.000Z",
                     *       "updatedAt": "2026-03-01T10:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meter"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getMeter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The meter */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "House meter",
                     *       "userId": "8d0c7a52-1f3e-4b6a-9c2d-5e4f3a2b1c0d",
                     *       "energyPerPulseWh": 13.333,
                     *       "startReadingWh": 25503550,
                     *       "createdAt": "2026-03-01T10:00:00.000Z",
                     *       "updatedAt": "2026-03-01T10:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meter"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    deleteMeter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    updateMeter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "House meter"
                 *     }
                 */
                "application/json": components["schemas"]["MeterUpdate"];
            };
        };
        responses: {
            /** @description The changed meter */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "name": "House meter",
                     *       "userId": "8d0c7a52-1f3e-4b6a-9c2d-5e4f3a2b1c0d",
                     *       "energyPerPulseWh": 13.333,
                     *       "startReadingWh": 25503550,
                     *       "createdAt": "2026-03-01T10:00:00.000Z",
                     *       "updatedAt": "2026-03-01T10:00:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Meter"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    createMeterKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "kitchen-esp8266"
                 *     }
                 */
                "application/json": components["schemas"]["NewDeviceKey"];
            };
        };
        responses: {
            /** @description Created; `key` is shown only this once */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "owg_k3x9m2pq_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                     *       "apiKey": {
                     *         "id": "5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                     *         "name": "kitchen-esp8266",
                     *         "prefix": "owg_k3x9m2pq",
                     *         "scopes": [
                     *           "device"
                     *         ],
                     *         "device": {
                     *           "kind": "meter",
                     *           "id": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b"
                     *         },
                     *         "chargepoints": null,
                     *         "userId": "8d0c7a52-1f3e-4b6a-9c2d-5e4f3a2b1c0d",
                     *         "createdAt": "2026-03-01T10:00:00.000Z",
                     *         "expiresAt": null,
                     *         "lastUsedAt": null,
                     *         "revokedAt": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    recordMeterPulses: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "times": [
                 *         "2026-03-01T12:00:00.000Z",
                 *         "2026-03-01T12:00:09.250Z"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["MeterPulses"];
            };
        };
        responses: {
            /** @description Recorded */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "received": 2,
                     *       "recorded": 2,
                     *       "duplicates": 0,
                     *       "meterReadingWh": 25503576.67
                     *     }
                     */
                    "application/json": components["schemas"]["MeterPulseReceipt"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    reportMeterConnectionLoss: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "durationMs": 120000,
                 *       "pulsesMissed": 3,
                 *       "endedAt": "2026-03-01T12:05:00Z"
                 *     }
                 */
                "application/json": components["schemas"]["NewConnectionLoss"];
            };
        };
        responses: {
            /** @description Recorded (or already recorded) */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "recorded": true,
                     *       "meterReadingWh": 25503616.67
                     *     }
                     */
                    "application/json": components["schemas"]["ConnectionLossReceipt"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getMeterReading: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reading now */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "meterId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "at": "2026-03-01T12:05:10.000Z",
                     *       "meterReadingWh": 25503616.67,
                     *       "energyTodayWh": 5680.01,
                     *       "day": "2026-03-01",
                     *       "timeZone": "Europe/Berlin",
                     *       "powerW": 1234.5,
                     *       "lastIntervalPowerW": 4800,
                     *       "lastPulseAt": "2026-03-01T12:05:00.000Z",
                     *       "pulses": 5,
                     *       "missedPulses": 0
                     *     }
                     */
                    "application/json": components["schemas"]["MeterReading"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getMeterSummary: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The summary */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "w": 1235,
                     *       "wh": 5680,
                     *       "kwh": 25503.62
                     *     }
                     */
                    "application/json": components["schemas"]["MeterSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    getMeterHistory: {
        parameters: {
            query?: {
                /**
                 * @description Start of the range (inclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-01
                 */
                start?: components["schemas"]["DateTimeParam"];
                /**
                 * @description End of the range (exclusive): ISO 8601 date or date-time; encode `+` as `%2B`
                 * @example 2026-03-08
                 */
                end?: components["schemas"]["DateTimeParam"];
                /** @description Length of the range in calendar units of `tz`, e.g. `7d`, `1month` */
                duration?: string;
                /** @description Bucket size */
                interval?: components["schemas"]["HistoryInterval"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
            };
            header?: never;
            path: {
                /** @description The pulse meter's id */
                meterId: components["parameters"]["MeterId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Energy per bucket */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "meterId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "start": "2026-03-01T00:00:00+01:00",
                     *       "end": "2026-03-03T00:00:00+01:00",
                     *       "interval": "day",
                     *       "timeZone": "Europe/Berlin",
                     *       "points": [
                     *         {
                     *           "start": "2026-03-01T00:00:00+01:00",
                     *           "energyWh": 5680.01,
                     *           "pulses": 426,
                     *           "missedPulses": 0
                     *         },
                     *         {
                     *           "start": "2026-03-02T00:00:00+01:00",
                     *           "energyWh": 0,
                     *           "pulses": 0,
                     *           "missedPulses": 0
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MeterHistory"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    pulseMeterTick: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Recorded */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "received": 2,
                     *       "recorded": 2,
                     *       "duplicates": 0,
                     *       "meterReadingWh": 25503576.67
                     *     }
                     */
                    "application/json": components["schemas"]["MeterPulseReceipt"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    pulseMeterLcdInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The values */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "daily_power": 5680.01,
                     *       "current_power": 1234
                     *     }
                     */
                    "application/json": components["schemas"]["PulseMeterLcdInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    pulseMeterConnectionLoss: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description How long the device was offline, ms
                 * @example 120000
                 */
                duration: number;
                /**
                 * @description Pulses counted while offline
                 * @example 3
                 */
                ticksMissed: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Recorded (or already recorded) */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "recorded": true,
                     *       "meterReadingWh": 25503616.67
                     *     }
                     */
                    "application/json": components["schemas"]["ConnectionLossReceipt"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["Error"];
        };
    };
    listMeasurementSeries: {
        parameters: {
            query?: {
                /** @description Page size */
                limit?: components["parameters"]["MeasurementPageLimit"];
                /** @description `nextCursor` of the previous page (opaque) */
                cursor?: components["parameters"]["MeasurementCursor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of series */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "1",
                     *           "description": "Garden thermometer",
                     *           "deviceId": "esp32-garden",
                     *           "deviceDescription": "ESP32 with a DS18B20, on battery",
                     *           "units": {
                     *             "temp_C": "°C",
                     *             "batt_V": "V"
                     *           },
                     *           "retentionDays": 365,
                     *           "ownerId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *           "createdAt": "2026-12-01T08:00:00.000Z",
                     *           "pointCount": 1440,
                     *           "firstPointAt": "2026-12-05T21:00:00.000Z",
                     *           "lastPointAt": "2026-12-06T20:59:00.000Z"
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementSeriesList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    createMeasurementSeries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "description": "Garden thermometer",
                 *       "deviceId": "esp32-garden",
                 *       "deviceDescription": "ESP32 with a DS18B20, on battery",
                 *       "units": {
                 *         "temp_C": "°C",
                 *         "batt_V": "V"
                 *       },
                 *       "retentionDays": 365
                 *     }
                 */
                "application/json": components["schemas"]["NewMeasurementSeries"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    Location: components["headers"]["Location"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "1",
                     *       "description": "Garden thermometer",
                     *       "deviceId": "esp32-garden",
                     *       "deviceDescription": "ESP32 with a DS18B20, on battery",
                     *       "units": {
                     *         "temp_C": "°C",
                     *         "batt_V": "V"
                     *       },
                     *       "retentionDays": 365,
                     *       "ownerId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "createdAt": "2026-12-01T08:00:00.000Z",
                     *       "pointCount": 1440,
                     *       "firstPointAt": "2026-12-05T21:00:00.000Z",
                     *       "lastPointAt": "2026-12-06T20:59:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementSeries"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getMeasurementSeries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "1",
                     *       "description": "Garden thermometer",
                     *       "deviceId": "esp32-garden",
                     *       "deviceDescription": "ESP32 with a DS18B20, on battery",
                     *       "units": {
                     *         "temp_C": "°C",
                     *         "batt_V": "V"
                     *       },
                     *       "retentionDays": 365,
                     *       "ownerId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *       "createdAt": "2026-12-01T08:00:00.000Z",
                     *       "pointCount": 1440,
                     *       "firstPointAt": "2026-12-05T21:00:00.000Z",
                     *       "lastPointAt": "2026-12-06T20:59:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementSeries"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    deleteMeasurementSeries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listMeasurementPoints: {
        parameters: {
            query?: {
                /** @description Start (inclusive): ISO 8601 date or date-time; without an offset it is local time in `tz`. Encode `+` as `%2B`. */
                from?: components["schemas"]["PeriodBound"];
                /** @description End (exclusive), read like `from` */
                to?: components["schemas"]["PeriodBound"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Page size */
                limit?: number;
                /** @description `nextCursor` of the previous page (opaque) */
                cursor?: components["parameters"]["MeasurementCursor"];
            };
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of points */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "time": "2026-12-06T20:00:00.000Z",
                     *           "fields": {
                     *             "temp_C": 13.5,
                     *             "batt_V": 3.71
                     *           }
                     *         }
                     *       ],
                     *       "nextCursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementPointPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    writeMeasurementPoints: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "points": [
                 *         {
                 *           "time": "2026-12-06T21:00:00+01:00",
                 *           "fields": {
                 *             "temp_C": 13.5,
                 *             "batt_V": 3.71
                 *           }
                 *         },
                 *         {
                 *           "fields": {
                 *             "temp_C": 13.4
                 *           }
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["MeasurementPointBatch"];
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "written": 2
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementPointsWritten"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    aggregateMeasurementPoints: {
        parameters: {
            query?: {
                /** @description Start: ISO 8601 date or date-time (local to `tz` without an offset), widened to its bucket */
                from?: components["schemas"]["PeriodBound"];
                /** @description End (exclusive), widened to its bucket */
                to?: components["schemas"]["PeriodBound"];
                /** @description Length instead of one bound, e.g. `7d`, `1month`, `1y` */
                duration?: string;
                interval?: components["schemas"]["HistoryInterval"];
                /** @description IANA time zone for calendar buckets and for dates without an offset, e.g. `Europe/Berlin`; default: the gateway's `TIME_ZONE` setting (UTC unless configured) */
                tz?: components["parameters"]["TimeZone"];
                /** @description Only these fields, comma-separated (default: every field seen in the range) */
                fields?: components["schemas"]["MeasurementFieldName"][];
            };
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The buckets */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "seriesId": "1",
                     *       "start": "2026-12-06T00:00:00+01:00",
                     *       "end": "2026-12-07T00:00:00+01:00",
                     *       "interval": "day",
                     *       "timeZone": "Europe/Berlin",
                     *       "fields": [
                     *         "temp_C"
                     *       ],
                     *       "buckets": [
                     *         {
                     *           "start": "2026-12-06T00:00:00+01:00",
                     *           "fields": {
                     *             "temp_C": {
                     *               "count": 1440,
                     *               "min": 4.5,
                     *               "avg": 8.25,
                     *               "max": 13.5,
                     *               "last": 7.9
                     *             }
                     *           }
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["MeasurementAggregates"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    createMeasurementSeriesKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A measurement series id: decimal digits (the integer id the timeseries-api wire mode shows) */
                seriesId: components["parameters"]["MeasurementSeriesId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "garden-esp32"
                 *     }
                 */
                "application/json": components["schemas"]["NewDeviceKey"];
            };
        };
        responses: {
            /** @description Created; `key` is shown only this once */
            201: {
                headers: {
                    "Cache-Control": components["headers"]["NoStore"];
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "key": "owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0",
                     *       "apiKey": {
                     *         "id": "5c0f6a8e-2b1d-4e3f-9a7b-1c2d3e4f5a6b",
                     *         "name": "garden-esp32",
                     *         "prefix": "owg_k3x9m2pq",
                     *         "scopes": [
                     *           "device"
                     *         ],
                     *         "device": {
                     *           "kind": "series",
                     *           "id": "1"
                     *         },
                     *         "chargepoints": null,
                     *         "userId": "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b",
                     *         "createdAt": "2026-12-06T20:00:00.000Z",
                     *         "expiresAt": null,
                     *         "lastUsedAt": null,
                     *         "revokedAt": null
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    listTimeseriesSeries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "1": {
                     *         "id": 1,
                     *         "desc": "Garden temperature",
                     *         "device_id": "esp32-garden",
                     *         "device_desc": "ESP32 with a DS18B20",
                     *         "timestamp": "2026-12-06T20:00:00.000+00:00",
                     *         "user": "alice",
                     *         "count": 1440
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["TimeseriesSeriesMap"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    createTimeseriesSeries: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0",
                 *       "device_id": "esp32-garden",
                 *       "device_desc": "ESP32 with a DS18B20",
                 *       "desc": "Garden temperature"
                 *     }
                 */
                "application/json": components["schemas"]["TimeseriesNewSeries"];
            };
        };
        responses: {
            /** @description Created; the body is the new series' id */
            201: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /** @example 1 */
                    "application/json": components["schemas"]["TimeseriesId"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getTimeseriesSeriesPoints: {
        parameters: {
            query?: {
                /** @description Start (inclusive), ISO 8601 */
                from?: components["schemas"]["PeriodBound"];
                /** @description End (inclusive), ISO 8601 */
                to?: components["schemas"]["PeriodBound"];
            };
            header?: never;
            path: {
                /** @description The series id, an integer */
                tsSeriesId: components["parameters"]["TimeseriesSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The points */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": 1,
                     *         "series_id": 1,
                     *         "timestamp": "2026-12-06T20:00:00.000+00:00",
                     *         "fields": {
                     *           "temp_C": 13.5,
                     *           "batt_V": 3.71
                     *         }
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["TimeseriesPointList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    deleteTimeseriesSeries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The series id, an integer */
                tsSeriesId: components["parameters"]["TimeseriesSeriesId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "token": "owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0"
                 *     }
                 */
                "application/json": components["schemas"]["TimeseriesToken"];
            };
        };
        responses: {
            /** @description Deleted, or there was no such series */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    createTimeseriesPoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0",
                 *       "series_id": 1,
                 *       "fields": {
                 *         "temp_C": 13.5,
                 *         "batt_V": 3.71
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["TimeseriesNewPoint"];
            };
        };
        responses: {
            /** @description Stored; the body is the new point's id */
            201: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /** @example 1 */
                    "application/json": components["schemas"]["TimeseriesId"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getTimeseriesPoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The point id, an integer */
                tsPointId: components["parameters"]["TimeseriesPointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The point */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": 1,
                     *       "series_id": 1,
                     *       "timestamp": "2026-12-06T20:00:00.000+00:00",
                     *       "fields": {
                     *         "temp_C": 13.5,
                     *         "batt_V": 3.71
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["TimeseriesPoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    deleteTimeseriesPoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The point id, an integer */
                tsPointId: components["parameters"]["TimeseriesPointId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "token": "owg_k3x9m2pq_Xx0Y1z2A3b4C5d6E7f8G9h0I1j2K3l4M5n6O7p8Q9r0"
                 *     }
                 */
                "application/json": components["schemas"]["TimeseriesToken"];
            };
        };
        responses: {
            /** @description Deleted, or there was no such point */
            204: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    countTimeseriesPoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The number of points */
            200: {
                headers: {
                    "RateLimit-Limit": components["headers"]["RateLimitLimit"];
                    "RateLimit-Remaining": components["headers"]["RateLimitRemaining"];
                    "RateLimit-Reset": components["headers"]["RateLimitReset"];
                    [name: string]: unknown;
                };
                content: {
                    /** @example 1440 */
                    "application/json": components["schemas"]["TimeseriesCount"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
}
