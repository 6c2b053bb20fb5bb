//! The review's plain types and pure functions: catalogs, rubrics,
//! applications, eligibility rules, the scoring history. No I/O here.

pub mod aggregate;
pub mod application;
pub mod catalog;
pub mod conflict;
pub mod content;
pub mod credit;
pub mod history;
pub mod national;
pub mod opinion;
pub mod rules;
pub mod text;

pub use application::{Application, PreviousKey, RosterEntry, Sections, Unit};
pub use catalog::{Catalog, Criterion, Direction, Rubric};
