// Package benchkit holds what Otklik's benchmark programs (bench/responses,
// bench/analytics) share: the command-line frame, the choice of databases
// and a throw-away PostgreSQL schema, CPU accounting from /proc with the
// wait for a quiet machine, and a few printing helpers. Both programs
// measure on a shared two-core machine against the same kinds of
// databases, so they must account for the machine and clean up the same way.
package benchkit
