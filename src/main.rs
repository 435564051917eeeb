fn main() -> std::process::ExitCode {
    sidw::cli::main()
}
