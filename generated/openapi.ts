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
         * Readiness probe (broker connected, live store and database reachable)
         * @description 200 when the broker is connected and the live store and database answer; 503 otherwise, naming the failed dependency. Public.
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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
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
            errors?: {
                /** @example /params/chargepointId */
                path?: string;
                message: string;
                errorCode?: string;
            }[];
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
            /** @description The vehicle openWB uses on this chargepoint; `null` while unknown */
            vehicle: {
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
            fault: {
                state: components["schemas"]["FaultState"];
                /** @example Kein Fehler. */
                message: string | null;
            } | null;
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
            openwb: {
                /**
                 * @description openWB generation in use (configured, or detected from the topics seen); `null` until detected
                 * @enum {string|null}
                 */
                generation: "2" | "1.9" | null;
                /**
                 * @description The `OPENWB_GENERATION` setting
                 * @enum {string}
                 */
                configuredGeneration: "auto" | "2" | "1.9";
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
            broker: {
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
                 * @description Messages this instance dropped because their payload was invalid
                 */
                decodeErrors: number;
            };
            gateway: {
                /** @example 0.1.0 */
                version: string;
                startedAt: components["schemas"]["Timestamp"];
                /** @enum {string} */
                liveStore: "redis" | "memory";
            };
        };
        Liveness: {
            /** @enum {string} */
            status: "ok";
        };
        Readiness: {
            /** @enum {string} */
            status: "ready" | "unavailable";
            checks: {
                broker: components["schemas"]["Check"];
                liveStore: components["schemas"]["Check"];
                database: components["schemas"]["Check"];
            };
        };
        Check: {
            ok: boolean;
            detail?: string;
            /** Format: double */
            latencyMs?: number;
        };
    };
    responses: {
        /** @description A parameter or the body is invalid; `errors` names each problem */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Credentials are missing, unknown, expired or revoked */
        Unauthorized: {
            headers: {
                "WWW-Authenticate": components["headers"]["WwwAuthenticate"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The credentials lack the scope the operation needs */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such resource */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A dependency (the live store) cannot be reached; retry after `Retry-After` seconds */
        Unavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Any other error */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description openWB chargepoint id (2.x component id such as `3`; 1.9 chargepoint number `1`…`8`) */
        ChargePointId: components["schemas"]["EntityId"];
        /** @description openWB 2.x vehicle id (`0` is openWB's default vehicle) */
        VehicleId: components["schemas"]["EntityId"];
    };
    requestBodies: never;
    headers: {
        /** @description Live values must not be cached */
        NoStore: string;
        /** @description Seconds after which the request may be retried */
        RetryAfter: number;
        /** @description The credentials the operation accepts */
        WwwAuthenticate: string;
    };
    pathItems: never;
}
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChargePointList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChargePoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Site"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VehicleList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            503: components["responses"]["Unavailable"];
            default: components["responses"]["Error"];
        };
    };
    getVehicle: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description openWB 2.x vehicle id (`0` is openWB's default vehicle) */
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vehicle"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["System"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Liveness"];
                };
            };
            400: components["responses"]["BadRequest"];
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
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            400: components["responses"]["BadRequest"];
            /** @description Not ready; `checks` says which dependency failed */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
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
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            default: components["responses"]["Error"];
        };
    };
}
