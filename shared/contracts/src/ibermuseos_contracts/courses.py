"""Events of the courses service: offerings, runs, enrolments, attendance and certificates."""
