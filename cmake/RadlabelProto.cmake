# radlabel_proto_library(NAME ROOT <dir> PROTOS <files relative to ROOT>...)
# Generates C++ message and gRPC service code for PROTOS and builds it as a static library whose
# users include "<path under ROOT>.pb.h" / ".grpc.pb.h".
function(radlabel_proto_library name)
  cmake_parse_arguments(ARG "" "ROOT" "PROTOS" ${ARGN})
  set(generated_dir "${CMAKE_CURRENT_BINARY_DIR}/${name}_gen")
  file(MAKE_DIRECTORY "${generated_dir}")
  set(generated_sources)
  foreach(proto IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
    set(outputs "${generated_dir}/${stem}.pb.cc" "${generated_dir}/${stem}.pb.h"
                "${generated_dir}/${stem}.grpc.pb.cc" "${generated_dir}/${stem}.grpc.pb.h")
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc
        --proto_path=${ARG_ROOT}
        --cpp_out=${generated_dir}
        --grpc_out=${generated_dir}
        --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
        ${ARG_ROOT}/${proto}
      DEPENDS ${ARG_ROOT}/${proto} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "Generating C++ for ${proto}")
    list(APPEND generated_sources ${outputs})
  endforeach()
  add_library(${name} STATIC ${generated_sources})
  # SYSTEM: generated code is not ours to keep warning-free. Installed, the headers are under
  # include/ (client/CMakeLists.txt installs them).
  target_include_directories(${name} SYSTEM PUBLIC "$<BUILD_INTERFACE:${generated_dir}>"
                                                   "$<INSTALL_INTERFACE:include>")
  set_target_properties(${name} PROPERTIES RADLABEL_GENERATED_DIR "${generated_dir}")
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf gRPC::grpc++)
endfunction()
