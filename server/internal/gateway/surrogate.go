package gateway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimsvc/claims/classifier/jsonstr"
)

// surrogateError returns an error naming the first string in data, a
// valid JSON value, that holds an unpaired surrogate escape: a \uD800 to
// \uDBFF not followed by a \uDC00 to \uDFFF escape, or one of the latter
// alone. Such a string has no UTF-8 form; protojson refuses it with
// "unexpected EOF" or "invalid escape code", which say nothing useful. The
// string is named by its path, as the server names fields, with the
// fields' proto names ("sentences[1]", "examples[0].text", "request_id"
// for a requestId member), and as a text, a label or a string. It returns
// nil if there is none.
func surrogateError(data []byte) error {
	var stack []jsonLevel
	wantKey := false // the next string is a member name
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, jsonLevel{})
			wantKey = true
		case '[':
			stack = append(stack, jsonLevel{array: true})
		case '}', ']':
			stack = stack[:len(stack)-1]
			wantKey = false
		case ',':
			if top := &stack[len(stack)-1]; top.array {
				top.index++
			} else {
				wantKey = true
			}
		case '"':
			end := jsonstr.End(data, i)
			s := data[i:end]
			esc := jsonstr.Unpaired(s[1:max(1, len(s)-1)])
			isKey := wantKey
			if isKey {
				stack[len(stack)-1].key = s
				wantKey = false
			}
			if esc != "" {
				what, path := "string", jsonPath(stack)
				top := stack[len(stack)-1]
				field := top.key
				if top.array && len(stack) > 1 {
					field = stack[len(stack)-2].key // the array's
				}
				switch name := memberName(field); {
				case isKey:
					what, path = "field name", jsonPath(stack[:len(stack)-1])
				case !top.array && name == "label":
					what = "label"
				case !top.array && name == "text", top.array && name == "sentences":
					what = "text"
				}
				if path != "" {
					path += ": "
				}
				return fmt.Errorf("%s%s is not valid UTF-8: the JSON string holds an unpaired surrogate escape %s", path, what, esc)
			}
			i = end - 1
		}
	}
	return nil
}

// memberName decodes a quoted member name as surrogateError met it (so
// free of unpaired surrogates): "lab\u0065l" is "label".
func memberName(quoted []byte) string {
	var name string
	json.Unmarshal(quoted, &name) // a valid JSON string
	return name
}

// protoName returns the proto name of a JSON member name: protojson
// takes request_id by its JSON name, requestId, too, and the server's
// messages use the proto name. Other names are returned as sent: the
// API's other string fields have one name, and an unknown member is
// refused by protojson by the name it was sent with.
func protoName(name string) string {
	if name == "requestId" {
		return "request_id"
	}
	return name
}

// jsonLevel is an object or array that surrogateError's scan is inside.
type jsonLevel struct {
	array bool
	index int    // of the current element, in an array
	key   []byte // the current member's name, quoted, in an object
}

// jsonPath formats the position of a value from the levels that hold it:
// "examples[0].text".
func jsonPath(stack []jsonLevel) string {
	var b strings.Builder
	for _, l := range stack {
		if l.array {
			b.WriteString("[" + strconv.Itoa(l.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(protoName(memberName(l.key)))
	}
	return b.String()
}
