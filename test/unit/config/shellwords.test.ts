// Shell-like splitting of `command = "…"` for containers (no expansion, no shell).
import { describe, expect, test } from "bun:test"
import { splitArgs } from "../../../src/config/shellwords.ts"

describe("splitArgs", () => {
  test("whitespace separates words", () => {
    expect(splitArgs("  redis-server   --port 6379\t--save 60 1 ")).toEqual(["redis-server", "--port", "6379", "--save", "60", "1"])
  })

  test("quotes group words and may be empty", () => {
    expect(splitArgs(`sh -c "echo hello world" '' x`)).toEqual(["sh", "-c", "echo hello world", "", "x"])
  })

  test("single quotes are literal; double quotes unescape only \\\" and \\\\", () => {
    expect(splitArgs(`'a\\b' "c\\"d\\\\e\\n"`)).toEqual(["a\\b", 'c"d\\e\\n'])
  })

  test("a backslash outside quotes escapes the next character", () => {
    expect(splitArgs("a\\ b c")).toEqual(["a b", "c"])
  })

  test("quotes join adjacent text into one word", () => {
    expect(splitArgs(`--name="my app"x`)).toEqual(["--name=my appx"])
  })

  test("no expansion happens", () => {
    expect(splitArgs("echo $HOME ~ *")).toEqual(["echo", "$HOME", "~", "*"])
  })

  test("an unterminated quote is an error", () => {
    expect(() => splitArgs(`echo "oops`)).toThrow(/unterminated " quote/)
  })

  test("an empty string has no words", () => {
    expect(splitArgs("   ")).toEqual([])
  })
})
