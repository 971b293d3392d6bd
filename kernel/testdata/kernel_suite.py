"""The standard jupyter_kernel_test suite, with Go samples for gokernel.

Run by TestJupyterKernelTestSuite (kernel/jupyter_test.go) with JUPYTER_DATA_DIR pointing at a
freshly installed kernelspec "go".
"""
import unittest

import jupyter_kernel_test as jkt


class GoKernelTests(jkt.KernelTests):
    kernel_name = "go"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "written to standard error")'

    completion_samples = [
        {"text": "strings.Repe", "matches": {"Repeat"}},
        {"text": "strings.ToUpp", "matches": {"ToUpper", "ToUpperSpecial"}},
        {"text": "thread.Curr", "matches": {"Current"}},
    ]

    complete_code_samples = ["fmt.Println(1)", "x := 1", "func f() int { return 1 }"]
    incomplete_code_samples = ["func f() {", "fmt.Println(", "xs := []int{1,", "s := `raw"]
    invalid_code_samples = ["x := )(", "}}"]

    code_page_something = "strings.ToUpper?"

    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"go" + "pher"', "result": '"gopher"'},
        {"code": "answer := 6\nanswer * 7", "result": "42"},
        {"code": "[]int{1, 2, 3}", "result": "[1 2 3]"},
    ]

    code_display_data = [
        {"code": 'display.HTML("<b>bold</b>")', "mime": "text/html"},
        {"code": 'display.Markdown("# title")', "mime": "text/markdown"},
        {"code": 'display.SVG(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>`)', "mime": "image/svg+xml"},
    ]

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "strings.ToUpper"

    code_clear_output = 'fmt.Println("soon gone")\ndisplay.Clear(false)'


if __name__ == "__main__":
    unittest.main()
