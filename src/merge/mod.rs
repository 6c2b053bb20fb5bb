//! The panel chair's merge: verified expert files in, one aggregated,
//! ranked and signed result out, plus CSV and XLSX for people.

pub mod report;
