package gateway

import (
	"encoding/json"
	"fmt"

	claimsv1 "github.com/claimsvc/claims/proto/claims/v1"
	"github.com/claimsvc/claims/server/internal/api"
)

// checkCount refuses a request body that lists more examples or sentences
// than the service takes, before protojson turns it into messages: a
// 16 MiB body of empty examples ({"examples":[{},{},…]}) would otherwise
// become millions of messages, some 40 times the body in memory, only to
// be refused by the service's own count. The error reads as the service's
// does.
func (m jsonMarshaler) checkCount(raw []byte, v any) error {
	name, _, limit := m.limits.Listing(v)
	// Each element takes at least two bytes and a comma: a smaller body
	// cannot list more than limit.
	if limit <= 0 || len(raw) < 3*limit+2 {
		return nil
	}
	if n := countElements(raw, name); n > limit {
		err := fmt.Errorf("%s: %d %s exceed the limit of %d", name, n, name, limit)
		if _, ok := v.(*claimsv1.ClassifyStreamRequest); ok {
			// The service names a stream request by its id, if it has one.
			var id struct{ ID string }
			switch {
			case json.Unmarshal(raw, &id) != nil || id.ID == "":
			case len(id.ID) > api.MaxStreamIDBytes:
				// The service refuses the id first, without quoting it.
				err = fmt.Errorf("id: %d bytes exceed the limit of %d", len(id.ID), api.MaxStreamIDBytes)
			default:
				err = fmt.Errorf("request %q: %w", id.ID, err)
			}
		}
		return err
	}
	return nil
}

// countElements returns the number of elements of the array that is the
// value of member key in the JSON object raw (0 if there is none, or raw
// is not such an object). It scans raw once, without decoding the
// elements; a member name written with escapes is decoded before it is
// compared. For malformed JSON the count means nothing, and protojson
// refuses the body anyway.
func countElements(raw []byte, key string) int {
	depth := 0
	target := false   // the value at depth 1 being read is key's
	counting := false // inside key's array
	started := false  // an element of key's array has begun since the last comma
	count := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '"':
			j, esc := i+1, false
			for ; j < len(raw) && raw[j] != '"'; j++ {
				if raw[j] == '\\' {
					esc = true
					j++
				}
			}
			if j >= len(raw) {
				return count
			}
			if counting && depth == 2 {
				started = true
			} else if depth == 1 && isMemberName(raw, j+1) {
				target = memberIs(raw[i:j+1], esc, key)
			}
			i = j
		case '{', '[':
			if counting && depth == 2 {
				started = true
			}
			depth++
			if c == '[' && depth == 2 && target {
				counting = true
			}
		case '}', ']':
			depth--
			if counting && depth == 1 {
				if started {
					count++
				}
				return count
			}
		case ',':
			if counting && depth == 2 && started {
				count++
				started = false
			}
		case ' ', '\t', '\r', '\n', ':':
		default:
			if counting && depth == 2 {
				started = true // a number, true, false or null
			}
		}
	}
	return count
}

// isMemberName reports whether the string that ended just before p is a
// member name: a colon follows it, after JSON white space.
func isMemberName(raw []byte, p int) bool {
	for ; p < len(raw); p++ {
		switch raw[p] {
		case ' ', '\t', '\r', '\n':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// memberIs reports whether the quoted member name q (quotes included)
// is key, decoding its escapes if it has any.
func memberIs(q []byte, escaped bool, key string) bool {
	if !escaped {
		return string(q[1:len(q)-1]) == key
	}
	var s string
	return json.Unmarshal(q, &s) == nil && s == key
}
