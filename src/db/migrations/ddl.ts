/** Table options every MariaDB table gets: transactions, full Unicode, byte-wise comparison like SQLite's. */
export const MARIADB_TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
