package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/gokernel/gokernel/kernel/client"
	"github.com/gokernel/gokernel/kernel/wire"
)

// launch starts the installed kernel binary with the Go client connected.
func launch(t *testing.T, env ...string) *client.Kernel {
	t.Helper()
	_, bin := install(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := client.Launch(ctx, []string{bin, "-f", "{connection_file}"}, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := k.Shutdown(ctx); err != nil {
			_ = k.Kill()
		}
	})
	return k
}

func execute(t *testing.T, k *client.Kernel, code string) *client.Reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := k.Client.Execute(ctx, code, client.ExecuteOptions{})
	if err != nil {
		t.Fatalf("execute %q: %v (kernel output %q)", code, err, k.Output())
	}
	return r
}

func TestKernelInfo(t *testing.T) {
	k := launch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := k.Client.KernelInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		ProtocolVersion string         `json:"protocol_version"`
		Implementation  string         `json:"implementation"`
		Banner          string         `json:"banner"`
		LanguageInfo    map[string]any `json:"language_info"`
		HelpLinks       []any          `json:"help_links"`
	}
	if err := r.Content(&info); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "go", "mimetype": "text/x-go", "file_extension": ".go", "pygments_lexer": "go", "codemirror_mode": "go"}
	for key, v := range want {
		if info.LanguageInfo[key] != v {
			t.Errorf("language_info.%s = %v, want %v", key, info.LanguageInfo[key], v)
		}
	}
	if info.ProtocolVersion != "5.4" || r.Msg.Header.Version != "5.4" || info.Banner == "" || len(info.HelpLinks) == 0 {
		t.Errorf("kernel_info: %+v", info)
	}
	if v, _ := info.LanguageInfo["version"].(string); !strings.HasPrefix(v, "1.") {
		t.Errorf("language version %q", v)
	}
	// busy, then idle, around the request.
	msgs := r.Messages()
	if len(msgs) < 2 || !strings.Contains(string(msgs[0].Content), "busy") || !strings.Contains(string(msgs[len(msgs)-1].Content), "idle") {
		t.Errorf("iopub around kernel_info: %d messages", len(msgs))
	}
}

func TestCellsOverTheWire(t *testing.T) {
	k := launch(t)
	tests := []struct {
		name, code     string
		stdout, stderr string
		result         string
		ename          string
	}{
		{name: "hello", code: `fmt.Println("hello")`, stdout: "hello\n"},
		{name: "os.Stdout and os.Stderr writes", code: "os.Stdout.WriteString(\"raw out\\n\")\nfmt.Fprintln(os.Stderr, \"raw err\")", stdout: "raw out\n", stderr: "raw err\n"},
		{name: "println (the interpreter writes it to stdout)", code: `println("builtin")`, stdout: "builtin\n"},
		{name: "log", code: "log.SetFlags(0)\nlog.Print(\"logged\")", stderr: "logged\n"},
		{name: "value", code: "x := 20\nx * 2 + 2", result: "42"},
		{name: "state kept", code: "x", result: "20"},
		{name: "error", code: "var m map[string]int\nm[\"a\"] = 1", ename: "panic"},
		{name: "goroutine panic", code: "done := make(chan bool)\ngo func() {\n\tdefer close(done)\n\tpanic(\"in goroutine\")\n}()\n<-done\ntime.Sleep(50 * time.Millisecond)", ename: "panic"},
		{name: "still alive after panics", code: "x + 1", result: "21"},
		{name: "os.Exit", code: "os.Exit(3)", ename: "Exit"},
		{name: "alive after exit", code: "x + 2", result: "22"},
		{name: "recursion without end", code: "func forever(n int) int { return forever(n+1) + 1 }\nforever(0)", ename: "fatal error"},
		{name: "alive after a stack overflow", code: "x + 3", result: "23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := execute(t, k, tt.code)
			if tt.ename != "" {
				var e *client.ExecError
				if err := r.Err(); err == nil || !errors.As(err, &e) || e.Name != tt.ename {
					t.Fatalf("error %v, want ename %s", r.Err(), tt.ename)
				}
				if len(r.Outputs("error")) != 1 {
					t.Fatalf("want one error message on iopub")
				}
				return
			}
			if err := r.Err(); err != nil {
				t.Fatalf("cell failed: %v", err)
			}
			if r.Stdout() != tt.stdout || r.Stderr() != tt.stderr || r.Result() != tt.result {
				t.Fatalf("stdout %q stderr %q result %q", r.Stdout(), r.Stderr(), r.Result())
			}
		})
	}
}

// executeAsync runs code without waiting; the reply (nil on failure) arrives on the channel.
func executeAsync(k *client.Kernel, code string) <-chan *client.Reply {
	done := make(chan *client.Reply, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		r, _ := k.Client.Execute(ctx, code, client.ExecuteOptions{})
		done <- r
	}()
	return done
}

// awaitReply waits for the reply of a cell run with executeAsync, failing with failure if it
// does not come within limit.
func awaitReply(t *testing.T, done <-chan *client.Reply, limit time.Duration, failure string) *client.Reply {
	t.Helper()
	select {
	case r := <-done:
		if r == nil {
			t.Fatal("no reply")
		}
		return r
	case <-time.After(limit):
		t.Fatal(failure)
		return nil
	}
}

func TestHundredThousandLines(t *testing.T) {
	k := launch(t)
	start := time.Now()
	r := execute(t, k, "for i := 0; i < 100000; i++ {\n\tfmt.Println(\"line\", i)\n}")
	took := time.Since(start)
	lines := strings.Count(r.Stdout(), "\n")
	if lines != 100000 || !strings.HasSuffix(r.Stdout(), "line 99999\n") {
		t.Fatalf("got %d lines", lines)
	}
	n := len(r.Outputs("stream"))
	t.Logf("100000 lines in %d stream messages, %v", n, took)
	if n > 200 {
		t.Fatalf("100000 lines took %d messages, want a few hundred at most", n)
	}
}

func TestInterrupt(t *testing.T) {
	tests := []struct {
		name string
		how  func(k *client.Kernel) error
	}{
		{"interrupt_request", func(k *client.Kernel) error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := k.Client.Interrupt(ctx)
			return err
		}},
		{"SIGINT", func(k *client.Kernel) error { return k.Signal(syscall.SIGINT) }},
	}
	k := launch(t)
	execute(t, k, "kept := 5\nvar mu sync.Mutex\nmu.Lock()\nvar wg sync.WaitGroup\nwg.Add(1)")
	cells := []string{"time.Sleep(time.Hour)", "for {\n}", "mu.Lock()", "<-make(chan int)", "wg.Wait()"}
	for _, tt := range tests {
		for _, cell := range cells {
			t.Run(tt.name+"/"+cell, func(t *testing.T) {
				done := executeAsync(k, cell)
				time.Sleep(300 * time.Millisecond)
				start := time.Now()
				if err := tt.how(k); err != nil {
					t.Fatal(err)
				}
				r := awaitReply(t, done, 5*time.Second, "cell not interrupted")
				if took := time.Since(start); took > 500*time.Millisecond {
					t.Errorf("interrupt took %v", took)
				}
				var e *client.ExecError
				if !errors.As(r.Err(), &e) || e.Name != "Interrupt" {
					t.Errorf("reply error %v, want Interrupt", r.Err())
				}
				if r := execute(t, k, "kept"); r.Result() != "5" {
					t.Fatalf("state after interrupt: %q", r.Result())
				}
			})
		}
	}
}

func TestHeartbeatAnswersWhileACellRuns(t *testing.T) {
	k := launch(t)
	executeAsync(k, "time.Sleep(2 * time.Second)")
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	d, err := k.Client.Heartbeat(ctx)
	if err != nil {
		t.Fatalf("heartbeat during a cell: %v", err)
	}
	if d > 200*time.Millisecond {
		t.Fatalf("heartbeat took %v", d)
	}
}

// TestForgedMessagesAreNotExecuted sends execute requests signed with a wrong key and without
// a signature; the kernel must drop them and keep serving.
func TestForgedMessagesAreNotExecuted(t *testing.T) {
	k := launch(t)
	marker := filepath.Join(t.TempDir(), "executed")
	info := k.Client.Info()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dealer := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("forger")))
	defer dealer.Close()
	if err := dealer.Dial(info.Endpoint(info.ShellPort)); err != nil {
		t.Fatal(err)
	}
	code := "os.WriteFile(" + strconv.Quote(marker) + ", []byte(\"x\"), 0o644)"
	for _, key := range [][]byte{[]byte("not-the-key"), nil} {
		m, err := wire.NewMessage("execute_request", "forger", nil, map[string]any{"code": code, "silent": false})
		if err != nil {
			t.Fatal(err)
		}
		frames, err := wire.NewSigner(key).Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if key == nil {
			frames[1] = []byte{} // no signature at all
		}
		if err := dealer.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
	}
	// Garbage frames must not hurt either.
	_ = dealer.SendMulti(zmq4.NewMsgFrom([]byte("<IDS|MSG>"), []byte("zz"), []byte("{")))
	time.Sleep(500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a forged execute_request was executed")
	}
	if r := execute(t, k, "1 + 1"); r.Result() != "2" {
		t.Fatalf("kernel unusable after forged messages: %q", r.Result())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a forged execute_request was executed later")
	}
}

func TestStopOnErrorOverTheWire(t *testing.T) {
	k := launch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type result struct {
		r   *client.Reply
		err error
	}
	results := make([]chan result, 3)
	codes := []string{"time.Sleep(300 * time.Millisecond)\npanic(\"first fails\")", "ranSecond := true", "ranThird := true"}
	for i, code := range codes {
		results[i] = make(chan result, 1)
		go func(i int, code string) {
			time.Sleep(time.Duration(i) * 50 * time.Millisecond) // keep the order
			r, err := k.Client.Execute(ctx, code, client.ExecuteOptions{})
			results[i] <- result{r, err}
		}(i, code)
	}
	for i := range codes {
		res := <-results[i]
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.r.Status() != "error" {
			t.Fatalf("cell %d status %q, want error", i+1, res.r.Status())
		}
	}
	if r := execute(t, k, "ranSecond"); r.Status() != "error" {
		t.Fatal("a cell queued after a failure was run")
	}
}

func TestShutdownDeliversReplyAndExits(t *testing.T) {
	k := launch(t) // its cleanup kills the kernel if the test left it running
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := k.Client.Shutdown(ctx, false)
	if err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if r.Msg.Header.MsgType != "shutdown_reply" {
		t.Fatalf("got %s", r.Msg.Header.MsgType)
	}
	select {
	case <-k.Exited():
	case <-time.After(5 * time.Second):
		t.Fatal("kernel still running after shutdown")
	}
}

func TestKernelExitsWhenItsParentDies(t *testing.T) {
	_, bin := install(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A shell starts the kernel as its child and waits; killing the shell orphans the kernel.
	k, err := client.Launch(ctx, []string{"bash", "-c", bin + " -f {connection_file}; true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Kill()
	if _, err := k.Client.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	_ = k.Cmd.Process.Kill()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		hctx, hcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := k.Client.Heartbeat(hctx)
		hcancel()
		if err != nil {
			return // the kernel is gone
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("kernel outlived its parent")
}

func TestInputRequestOverTheWire(t *testing.T) {
	k := launch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var prompts []string
	// The prompt printed just before the read moves into the input box.
	r, err := k.Client.Execute(ctx, "var name string\nfmt.Println(\"Welcome\")\nfmt.Print(\"name? \")\nfmt.Scanln(&name)\nfmt.Println(\"hello\", name)", client.ExecuteOptions{
		AllowStdin: true,
		Input:      func(prompt string, _ bool) string { prompts = append(prompts, prompt); return "gopher" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts) != 1 || prompts[0] != "name? " || r.Stdout() != "Welcome\nhello gopher\n" {
		t.Fatalf("prompts %q, stdout %q", prompts, r.Stdout())
	}
	// A frontend without stdin gets a clear error instead of a hang.
	r = execute(t, k, "_, err := fmt.Scanln(&name)\nerr")
	if !strings.Contains(r.Result(), "stdin") {
		t.Fatalf("without stdin: %q", r.Result())
	}
}

func TestCallbackPanicInCompiledGoroutine(t *testing.T) {
	k := launch(t)
	r := execute(t, k, "time.AfterFunc(10*time.Millisecond, func() { panic(\"in a timer\") })\ntime.Sleep(200 * time.Millisecond)")
	if r.Status() != "error" || !strings.Contains(r.Stderr(), "in a timer") {
		t.Fatalf("status %s stderr %q", r.Status(), r.Stderr())
	}
	if r := execute(t, k, "2 + 2"); r.Result() != "4" {
		t.Fatalf("kernel unusable: %q", r.Result())
	}
}

func TestRichDisplayOverTheWire(t *testing.T) {
	k := launch(t)
	r := execute(t, k, "fmt.Println(\"before\")\n"+
		"img := image.NewRGBA(image.Rect(0, 0, 4, 3))\ndisplay.Image(img)\n"+
		"bar := display.New()\nbar.Text(\"10%\")\nbar.Text(\"100%\")\n"+
		"display.JSON(map[string]int{\"a\": 1})\ndisplay.Clear(true)\nfmt.Println(\"after\")")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, m := range r.Messages() {
		switch m.Header.MsgType {
		case "stream", "display_data", "update_display_data", "clear_output":
			types = append(types, m.Header.MsgType)
		}
	}
	want := "stream,display_data,display_data,update_display_data,display_data,clear_output,stream"
	if strings.Join(types, ",") != want {
		t.Fatalf("messages %v, want %s", types, want)
	}
	var img, first, update struct {
		Data      map[string]any `json:"data"`
		Transient map[string]any `json:"transient"`
	}
	displays := r.Outputs("display_data")
	_ = json.Unmarshal(displays[0].Content, &img)
	_ = json.Unmarshal(displays[1].Content, &first)
	_ = json.Unmarshal(r.Outputs("update_display_data")[0].Content, &update)
	if _, ok := img.Data["image/png"].(string); !ok || img.Data["text/plain"] != "<image 4x3>" {
		t.Errorf("image display %v", img.Data)
	}
	id, _ := first.Transient["display_id"].(string)
	if id == "" || update.Transient["display_id"] != id || update.Data["text/plain"] != "100%" {
		t.Errorf("update %v does not replace display %q", update, id)
	}
}

func TestRichResultOfANotebookTypeOverTheWire(t *testing.T) {
	k := launch(t)
	r := execute(t, k, "type badge struct{ label string }\n"+
		"func (b *badge) HTML() string { return \"<span>\" + b.label + \"</span>\" }\n&badge{\"ok\"}")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	results := r.Outputs("execute_result")
	if len(results) != 1 {
		t.Fatalf("%d execute_result messages", len(results))
	}
	var c struct {
		Data           map[string]any `json:"data"`
		ExecutionCount int            `json:"execution_count"`
	}
	if err := json.Unmarshal(results[0].Content, &c); err != nil {
		t.Fatal(err)
	}
	if c.Data["text/html"] != "<span>ok</span>" || c.Data["text/plain"] != "&{ok}" || c.ExecutionCount != 1 {
		t.Fatalf("execute_result %+v", c)
	}
}

func TestNotebookFunctionsRunInChildProcesses(t *testing.T) {
	k := launch(t)
	execute(t, k, "kernelPid := os.Getpid()\nfunc whoami(n int) []int {\n\tfmt.Println(\"child says\", n)\n\treturn []int{os.Getpid(), n * n}\n}")
	r := execute(t, k, "p := process.New(whoami, 7)\np.Start()\np.Join()\nv, err := p.Result()\nfmt.Println(v.([]int)[0] != kernelPid, v.([]int)[1], err, p.ExitCode())")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if r.Stdout() != "child says 7\ntrue 49 <nil> 0\n" {
		t.Fatalf("stdout %q", r.Stdout())
	}
	r = execute(t, k, "ex := pool.Processes(2)\nsq, err := ex.Map(whoami, []int{1, 2, 3})\nex.Close()\nfmt.Println(len(sq), err)")
	if !strings.Contains(r.Stdout(), "3 <nil>") || strings.Count(r.Stdout(), "child says") != 3 {
		t.Fatalf("pool stdout %q", r.Stdout())
	}
	r = execute(t, k, "func explode(n int) int {\n\tpanic(\"exploded\")\n}\nx := process.New(explode, 1)\nx.Start()\nx.Join()\nx.ExitCode()")
	if r.Result() != "1" || !strings.Contains(r.Stderr(), "panic: exploded") || !strings.Contains(r.Stderr(), "main.explode  (In [") {
		t.Fatalf("child panic: exit %q, stderr %q", r.Result(), r.Stderr())
	}
	r = execute(t, k, "func bottomless(n int) int { return bottomless(n+1) + 1 }\nb := process.New(bottomless, 0)\nb.Start()\nb.Join()\nb.ExitCode()")
	if r.Result() != "1" || !strings.Contains(r.Stderr(), "stack overflow") || !strings.Contains(r.Stderr(), "main.bottomless  (In [") {
		t.Fatalf("child recursing without end: exit %q, stderr %q", r.Result(), r.Stderr())
	}
	r = execute(t, k, "func crash(code int) { os.Exit(code) }\nc := process.New(crash, 3)\nc.Start()\nc.Join()\nc.ExitCode()")
	if r.Result() != "3" {
		t.Fatalf("exit code %q (stderr %q)", r.Result(), r.Stderr())
	}
	// Interrupt ends the cell and kills the child it waits for.
	done := executeAsync(k, "func nap() { time.Sleep(time.Hour) }\nsleeper := process.New(nap)\nsleeper.Start()\nsleeper.Join()")
	time.Sleep(800 * time.Millisecond)
	ictx, icancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer icancel()
	if _, err := k.Client.Interrupt(ictx); err != nil {
		t.Fatal(err)
	}
	if r := awaitReply(t, done, 3*time.Second, "interrupt did not end a cell waiting for a child"); r.Status() != "error" {
		t.Fatalf("interrupted cell: %+v", r)
	}
	if r := execute(t, k, "sleeper.Alive()"); r.Result() != "false" {
		t.Fatalf("child still alive after interrupt: %q", r.Result())
	}
}

func TestQueuesAndSharedMemoryAcrossProcesses(t *testing.T) {
	k := launch(t)
	execute(t, k, "func produce(q *process.Queue, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tq.Put(i * 10)\n\t}\n}\n"+
		"func addMany(v *process.Value, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tv.Lock()\n\t\tv.Set(v.Get() + 1)\n\t\tv.Unlock()\n\t}\n}")
	r := execute(t, k, "q := process.NewQueue()\np := process.New(produce, q, 3)\np.Start()\np.Join()\n[]any{q.Get(), q.Get(), q.Get(), q.Empty()}")
	if r.Result() != "[0 10 20 true]" {
		t.Fatalf("queue from a child: %q %v", r.Result(), r.Err())
	}
	r = execute(t, k, "counter := process.NewValue(process.Int64, 0)\nvar ps []*process.Process\nfor i := 0; i < 3; i++ {\n\tps = append(ps, process.New(addMany, counter, 500))\n}\nfor _, p := range ps {\n\tp.Start()\n}\nfor _, p := range ps {\n\tp.Join()\n}\ncounter.Get()")
	if r.Result() != "1500" {
		t.Fatalf("locked shared counter: %q %v", r.Result(), r.Err())
	}
}

func TestShutdownKillsChildProcesses(t *testing.T) {
	k := launch(t) // its cleanup kills the kernel if the test left it running
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := k.Client.Execute(ctx, "func linger() { time.Sleep(time.Hour) }\nl := process.New(linger)\nl.Start()\nl.Pid()", client.ExecuteOptions{})
	if err != nil || r.Status() != "ok" {
		t.Fatalf("start a child: %v %v", err, r.Err())
	}
	var pid int
	if err := json.Unmarshal([]byte(r.Result()), &pid); err != nil || pid <= 0 {
		t.Fatalf("child pid %q", r.Result())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("child %d not running: %v", pid, err)
	}
	if _, err := k.Client.Shutdown(ctx, false); err != nil {
		t.Fatal(err)
	}
	<-k.Exited()
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("child %d outlived the kernel's shutdown", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestTimelineShowsChildProcesses(t *testing.T) {
	k := launch(t)
	execute(t, k, "func nap(ms int) int {\n\ttime.Sleep(time.Duration(ms) * time.Millisecond)\n\treturn ms\n}")
	r := execute(t, k, "%%timeline\np := process.New(nap, 50).Named(\"Napper\")\np.Start()\nerr := p.Join()\nfmt.Println(\"joined:\", err)")
	if r.Stdout() != "joined: <nil>\n" {
		t.Fatalf("stdout %q, error %v", r.Stdout(), r.Err())
	}
	displays := r.Outputs("display_data")
	if len(displays) != 1 {
		t.Fatalf("%d displays", len(displays))
	}
	var c struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(displays[0].Content, &c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Data["text/plain"], "Napper (pid ") || !strings.Contains(c.Data["image/svg+xml"], "Napper (pid ") {
		t.Fatalf("no row for the child process:\n%s", c.Data["text/plain"])
	}
}
