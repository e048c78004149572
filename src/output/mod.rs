//! Writers: invoices.xlsx and its styles.
