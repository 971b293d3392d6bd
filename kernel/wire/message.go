package wire

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ProtocolVersion is the Jupyter messaging protocol version gokernel speaks.
const ProtocolVersion = "5.4"

// Username is the user name put in the header of messages built by
// NewMessage.
const Username = "kernel"

// dateLayout is ISO 8601 with microseconds and the UTC zone, as Jupyter
// frontends expect in the header's date.
const dateLayout = "2006-01-02T15:04:05.000000Z07:00"

// emptyObject is the JSON of a missing parent header, metadata or content.
var emptyObject = json.RawMessage("{}")

// Header is the header of a Jupyter message.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message as it travels between sockets.
type Message struct {
	// Identities are the routing frames that precede the <IDS|MSG>
	// delimiter. On a ROUTER socket they name the peer that sent a
	// request; on iopub the first one is the topic.
	Identities [][]byte
	// Header is the decoded header.
	Header Header
	// RawHeader is the header exactly as received (or as built by
	// NewMessage); a reply's parent_header is a verbatim copy of it.
	// Encode ignores it and sends Header.
	RawHeader json.RawMessage
	// Parent is the parent_header, "{}" when there is none.
	Parent json.RawMessage
	// Metadata is the metadata dictionary.
	Metadata json.RawMessage
	// Content is the message content.
	Content json.RawMessage
	// Buffers are the optional binary frames after the content.
	Buffers [][]byte
}

// NewMessage builds an outgoing message of type msgType in session.
// It gets a fresh msg_id, the current time, protocol version 5.4 and the
// user name "kernel". When parent is not nil, the new message answers it:
// parent's header becomes parent_header verbatim and its routing identities
// are copied. content is encoded as JSON; nil means "{}", and a
// json.RawMessage is used as it is.
func NewMessage(msgType, session string, parent *Message, content any) (*Message, error) {
	header := Header{
		MsgID:    uuid.NewString(),
		Session:  session,
		Username: Username,
		Date:     time.Now().UTC().Format(dateLayout),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
	rawHeader, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("wire: encode header: %w", err)
	}
	body := emptyObject
	if content != nil {
		body, err = json.Marshal(content)
		if err != nil {
			return nil, fmt.Errorf("wire: encode %s content: %w", msgType, err)
		}
	}
	msg := &Message{
		Header:    header,
		RawHeader: rawHeader,
		Parent:    emptyObject,
		Metadata:  emptyObject,
		Content:   body,
	}
	if parent != nil {
		msg.Parent, err = parent.headerJSON()
		if err != nil {
			return nil, err
		}
		msg.Identities = make([][]byte, len(parent.Identities))
		for i, id := range parent.Identities {
			msg.Identities[i] = append([]byte(nil), id...)
		}
	}
	return msg, nil
}

// headerJSON returns the header frame of m: RawHeader when it is set,
// otherwise Header encoded as JSON.
func (m *Message) headerJSON() (json.RawMessage, error) {
	if len(m.RawHeader) > 0 {
		return m.RawHeader, nil
	}
	raw, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("wire: encode header: %w", err)
	}
	return raw, nil
}

// ParentHeader decodes the parent_header of m. It returns a zero Header when
// m has no parent.
func (m *Message) ParentHeader() (Header, error) {
	var h Header
	if len(m.Parent) == 0 {
		return h, nil
	}
	if err := json.Unmarshal(m.Parent, &h); err != nil {
		return h, fmt.Errorf("wire: decode parent header: %w", err)
	}
	return h, nil
}

// DecodeContent decodes the content of m into v.
func (m *Message) DecodeContent(v any) error {
	if err := json.Unmarshal(m.Content, v); err != nil {
		return fmt.Errorf("wire: decode %s content: %w", m.Header.MsgType, err)
	}
	return nil
}
