package api

import (
	"bytes"
	"encoding/json"
)

// optional is a JSON field that may be absent (leave as is), null (clear)
// or a value (set): upserts change only what the caller sent.
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// apply writes the field into dst when it was sent: the value, or zero for null.
func (o optional[T]) apply(dst *T) {
	if !o.Set {
		return
	}
	var zero T
	if o.Null {
		*dst = zero
		return
	}
	*dst = o.Value
}

// applyPtr is apply for nullable fields held as pointers.
func (o optional[T]) applyPtr(dst **T) {
	if !o.Set {
		return
	}
	if o.Null {
		*dst = nil
		return
	}
	v := o.Value
	*dst = &v
}
