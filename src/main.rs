fn main() -> std::process::ExitCode {
    escape_report::cli::main()
}
