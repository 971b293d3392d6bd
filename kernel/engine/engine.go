// Package engine defines the seam between gokernel's protocol side and its language side.
//
// The protocol side (package session) receives Jupyter requests and turns them into calls on an
// Engine. The language side (package goeval) implements Engine and never sees a socket or a
// wire message: it writes what a cell produces to an Output, and the protocol side turns that
// into iopub and stdin messages for the request that owns the Output.
package engine

import (
	"context"
	"errors"
)

// Engine runs cells of one language and answers questions about code.
//
// Execute is called for one request at a time. Interrupt, Complete, Inspect and IsComplete may
// be called concurrently with a running Execute.
type Engine interface {
	// Info describes the language and the implementation for kernel_info_reply.
	Info() Info
	// Execute runs one cell. Everything the cell prints or displays goes to out.
	Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteResult
	// Complete proposes completions for code at cursor (counted in Unicode code points).
	Complete(code string, cursor int) Completion
	// Inspect returns documentation for the name at cursor (counted in Unicode code points).
	Inspect(code string, cursor int, detail int) Inspection
	// IsComplete reports whether code is ready to run: "complete", "incomplete", "invalid" or
	// "unknown", with the indent to use for the next line when incomplete.
	IsComplete(code string) (status, indent string)
	// Interrupt stops the running cell, if any.
	Interrupt()
	// Close releases every resource of the engine; the kernel is about to exit or restart.
	Close() error
}

// Info describes a language implementation.
type Info struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
	Language              LanguageInfo
	HelpLinks             []HelpLink
}

// LanguageInfo is the language_info part of kernel_info_reply.
type LanguageInfo struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	Mimetype       string `json:"mimetype"`
	FileExtension  string `json:"file_extension"`
	PygmentsLexer  string `json:"pygments_lexer"`
	CodemirrorMode string `json:"codemirror_mode"`
}

// HelpLink is one entry of the help menu a frontend shows.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// ExecuteRequest is one cell to run.
type ExecuteRequest struct {
	Code string
	// Count is the execution count this cell is shown with (In[Count]).
	Count int
	// Silent requests that nothing is published and no result is shown.
	Silent bool
	// AllowStdin reports whether the frontend can answer input requests.
	AllowStdin bool
}

// ExecuteResult is the outcome of a cell.
type ExecuteResult struct {
	// Data is the cell's value as a MIME bundle (shown as Out[Count]); nil when there is none.
	Data map[string]any
	// Metadata goes with Data.
	Metadata map[string]any
	// Err is non-nil when the cell failed.
	Err *Error
	// Payloads are execute_reply payloads, such as a page of documentation.
	Payloads []map[string]any
}

// Error describes a failed cell in Jupyter's terms.
type Error struct {
	Name      string
	Value     string
	Traceback []string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Name + ": " + e.Value }

// ErrNoStdin is returned by Output.Input when the frontend does not accept input.
var ErrNoStdin = errors.New("input is not available: the frontend did not allow stdin for this cell")

// Output receives what a running cell produces. Implementations are safe for concurrent use.
type Output interface {
	// Stream appends text to the "stdout" or "stderr" stream.
	Stream(name, text string)
	// Display shows a MIME bundle. A non-empty displayID names the display so it can be
	// updated later; update reports whether this replaces an earlier display with that id.
	Display(data, metadata map[string]any, displayID string, update bool)
	// Clear clears the cell's output, at once or (wait) when new output arrives.
	Clear(wait bool)
	// Input asks the user for a line of text. It returns ErrNoStdin when the frontend does not
	// accept input, and ctx's error when the cell is interrupted.
	Input(ctx context.Context, prompt string, password bool) (string, error)
}

// Completion is the answer to a completion request.
type Completion struct {
	Matches     []string
	CursorStart int
	CursorEnd   int
	Metadata    map[string]any
}

// Inspection is the answer to an inspection request.
type Inspection struct {
	Found bool
	Data  map[string]any
}
