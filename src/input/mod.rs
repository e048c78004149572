//! Readers: orders and usage exports (CSV, XLSX) into typed rows and row exceptions.
