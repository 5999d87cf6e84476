// Package otklik holds the domain of the Otklik customer-feedback platform:
// customers, surveys, answers, users and roles, and the coded error type.
// It does no I/O; storage, transport and background work live under internal/.
package otklik
