/**
 * Limits every bulk import shares (JSON document, CSV files, CLI), in one place so that the
 * importers do not depend on the HTTP routes.
 */

/** Rows per import (nodes, and separately relationships); beyond this, split the input. */
export const MAX_IMPORT_ROWS = 500_000;
