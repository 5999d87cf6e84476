package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"otklik"
)

// Problem is an RFC 9457 problem details object, with the error code and the
// bad fields as extension members.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance,omitempty"`
	Code     string              `json:"code"`
	Errors   []otklik.FieldError `json:"errors,omitempty"`
}

// statusOf maps an error code to its HTTP status: the one place that does.
func statusOf(code string) int {
	switch code {
	case otklik.EMALFORMED:
		return http.StatusBadRequest
	case otklik.EINVALID:
		return http.StatusUnprocessableEntity
	case otklik.ENOTFOUND:
		return http.StatusNotFound
	case otklik.ECONFLICT:
		return http.StatusConflict
	case otklik.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case otklik.EFORBIDDEN:
		return http.StatusForbidden
	case otklik.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case otklik.ERATELIMIT:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// problemOf builds the problem for err. Only coded errors show their message.
func problemOf(err error) Problem {
	code := otklik.ErrorCode(err)
	status := statusOf(code)
	return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code,
		Detail: otklik.ErrorMessage(err), Errors: otklik.ErrorFields(err)}
}

// writeError answers with the problem for err, logging what users do not see.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		s.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="otklik"`)
	}
	p.Instance = r.URL.Path
	writeJSONStatus(w, "application/problem+json", p.Status, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, detail string, fields []otklik.FieldError) {
	writeJSONStatus(w, "application/problem+json", status, Problem{Type: "about:blank", Title: http.StatusText(status),
		Status: status, Detail: detail, Code: code, Errors: fields, Instance: r.URL.Path})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONStatus(w, "application/json", status, v)
}

func writeJSONStatus(w http.ResponseWriter, contentType string, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // comments are hostile: never let them form markup
	enc.Encode(v)
}

// Body size limits: one object, and a batch of up to 1,000 answers.
const (
	maxBody      = 1 << 20
	maxBatchBody = 16 << 20
)

// decode reads a JSON body into v (whatever Content-Type says: the body
// is JSON or it is refused), refusing unknown fields, trailing data
// and bodies over limit, with a message that says what is wrong.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return otklik.Errorf(otklik.EMALFORMED, "the body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error, limit int64) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var coded *otklik.Error
	switch {
	case errors.As(err, &coded):
		// A type's own UnmarshalJSON said what is wrong, with field names
		// (a trigger's delay_max that is not a duration).
		return coded
	case errors.As(err, &tooBig):
		return otklik.Errorf(otklik.ETOOLARGE, "the body is larger than %d bytes", limit)
	case errors.As(err, &syntax):
		return otklik.Errorf(otklik.EMALFORMED, "the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &otklik.Error{Code: otklik.EINVALID, Message: "a field has the wrong type",
			Fields: []otklik.FieldError{{Field: field, Message: fmt.Sprintf("must be %s", jsonKind(typ.Type.Kind().String()))}}}
	case errors.Is(err, io.EOF):
		return otklik.Errorf(otklik.EMALFORMED, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return otklik.Errorf(otklik.EMALFORMED, "the body ends in the middle of a JSON value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &otklik.Error{Code: otklik.EINVALID, Message: "the body has an unknown field",
			Fields: []otklik.FieldError{{Field: name, Message: "is not a known field"}}}
	}
	// Errors from a field's own UnmarshalJSON (a bad amount, date or time).
	return &otklik.Error{Code: otklik.EINVALID, Message: "a field has a bad value",
		Fields: []otklik.FieldError{{Field: "body", Message: err.Error()}}}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "of another type"
}

// recoverPanics turns a panic in a handler into a 500 problem and a log line.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("api: panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeProblem(w, r, http.StatusInternalServerError, otklik.EINTERNAL, "internal error", nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
